# technique: getattr with a name split across literals
# class: reflection
# source: JFrog, "noblesse"-family stealers (names assembled from pieces to avoid signatures)
# declares:
import importlib

mod = importlib.import_module("o" + "s")
fn = getattr(mod, "po" + "pen")


def who():
    return fn("id").read()
