"""Commands register themselves with decorators at import time (no side effects)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType
from typing import Any, ClassVar

COMMANDS: dict[str, Callable[..., Any]] = {}


def command(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        COMMANDS[name] = func
        return func

    return register


class Plugin:
    registry: ClassVar[dict[str, type[Plugin]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        Plugin.registry[cls.__name__.lower()] = cls

    def dispatch(self, name: str, *args: Any) -> Any:
        handler = getattr(self, f"cmd_{name}", None)
        if handler is None:
            raise KeyError(name)
        return handler(*args)


class Greeter(Plugin):
    def cmd_hello(self, who: str) -> str:
        return f"hello {who}"


@command("hello")
def hello(who: str = "world") -> str:
    return Greeter().dispatch("hello", who)


def load_extension(name: str) -> ModuleType:
    return importlib.import_module(f".extensions.{name}", __package__)


DEFAULT = Greeter()
