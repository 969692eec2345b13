# technique: importlib.util.spec_from_file_location + exec_module on a hidden file
# class: reflection
# source: Phylum, write-ups of packages loading hidden second-stage modules via importlib
# declares:
import importlib.util
import os


def load_hidden():
    path = os.path.expanduser("~/.local/share/.sysd/core.py")
    spec = importlib.util.spec_from_file_location("core", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
