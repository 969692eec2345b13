"""Optional accelerators: use them when installed, fall back otherwise."""
# declares:
from __future__ import annotations

import builtins
import importlib
from types import ModuleType

try:
    from Crypto.Hash import SHA256  # pycryptodome
except ImportError:  # pragma: no cover
    SHA256 = None

_SPEEDUPS = ("orjson", "ujson")


def json_backend() -> ModuleType:
    for name in _SPEEDUPS:
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    return importlib.import_module("json")


def is_exception_name(name: str) -> bool:
    obj = getattr(builtins, name, None)
    return isinstance(obj, type) and issubclass(obj, BaseException)
