"""The source the bandit gates are checked against is exactly ``inspect.getsource``'s."""

from __future__ import annotations

import functools
import inspect
import warnings
from typing import Any

from mbcheck.checks.security import bandit as bandit_bridge
from mbcheck.checks.security.bandit_gates import digest, source_of


def _decorator(function: Any) -> Any:
    @functools.wraps(function)
    def wrapper(*args: Any) -> Any:
        return function(*args)

    return wrapper


@_decorator
def _decorated(a: int) -> int:
    # a comment inside
    return a + 1
    # a trailing comment at the body's indentation


class _Holder:
    @staticmethod
    def method() -> None:
        """doc"""


def test_source_is_getsources_for_every_bandit_test_and_the_core() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # stevedore's deprecation notices while bandit loads
        from bandit.core import context, node_visitor

        objects: list[Any] = [
            test for group in bandit_bridge._test_set(frozenset()).tests.values() for test in group
            if inspect.isfunction(test)
        ]
    objects += [context.Context, node_visitor.BanditNodeVisitor.visit_Call]
    assert len(objects) > 20
    for obj in objects:
        assert source_of(obj) == inspect.getsource(obj), obj


def test_source_of_decorated_functions_classes_and_methods() -> None:
    for obj in (_decorated, _Holder, _Holder.method, _decorator):
        text = source_of(obj)
        assert text.strip() and text.splitlines()[0].lstrip().startswith(("@", "def ", "class "))
        assert inspect.getsource(obj).startswith(text)
        assert digest(obj) != digest(_Holder) or obj is _Holder


def test_objects_without_source_have_no_digest() -> None:
    assert digest(None) == ""
    assert digest(len) == ""
