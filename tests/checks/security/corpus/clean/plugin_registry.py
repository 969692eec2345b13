# permissions:
"""Commands registered by name, looked up in the module namespace and by subclass."""
import operator
import sys


class Command:
    name = ""

    @classmethod
    def all(cls) -> list[type["Command"]]:
        return sorted(cls.__subclasses__(), key=operator.attrgetter("name"))


def handle_list() -> str:
    return "list"


def dispatch(name: str) -> str:
    return globals()[f"handle_{name}"]()


def this_module() -> object:
    return sys.modules[__name__]
