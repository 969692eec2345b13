"""When code runs: at import time, or later (the security collector's scope tracking).

:class:`ScopeTracker` is a mixin for batched visitors: module and class
bodies, decorators and default values run while the module is imported;
function bodies, lambda bodies and ``if __name__ == "__main__":`` blocks run
later, and ``if TYPE_CHECKING:`` blocks never (the tests are read by
:mod:`mbcheck.pyfile.guards`, ``TYPE_CHECKING`` with the security resolver's
names).
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from mbcheck.checks.security.values import resolve
from mbcheck.pyfile.guards import is_main_guard, is_type_checking
from mbcheck.pyfile.traverse import FileContext


@dataclass
class _Frame:
    kind: str  # "function" or "class"
    name: str


class ScopeTracker(cst.BatchableCSTVisitor):
    """When code runs: at import (module/class bodies, decorators, defaults) or later.

    A mixin for visitors (its ``visit_``/``leave_`` methods join the batched
    traversal). ``deferred`` counts enclosing function bodies, lambda bodies
    and ``if __name__ == "__main__":`` blocks; ``frames`` names the enclosing
    functions and classes (for call-graph facts); ``type_checking`` counts
    enclosing ``if TYPE_CHECKING:`` blocks.
    """

    ctx: FileContext

    def init_scope(self) -> None:
        self.deferred = 0
        self.type_checking = 0
        self.frames: list[_Frame] = []
        self._blocks: dict[int, tuple[str, str]] = {}
        self._immediate: set[int] = set()
        self._lambda_params: set[int] = set()
        self._deferred_lambdas: set[int] = set()

    @property
    def at_import_time(self) -> bool:
        return self.deferred == 0

    @property
    def function(self) -> str:
        for frame in reversed(self.frames):
            if frame.kind == "function":
                return frame.name
        return ""

    def enclosing_class(self) -> str | None:
        """The class whose method body encloses the current node."""
        for index in range(len(self.frames) - 1, -1, -1):
            if self.frames[index].kind == "function":
                if index > 0 and self.frames[index - 1].kind == "class":
                    return self.frames[index - 1].name
                return None
        return None

    def _qualname(self, name: str) -> str:
        if self.frames and self.frames[-1].kind == "class":
            return f"{self.frames[-1].name}.{name}"
        return f"{self.ctx.module_name}.{name}"

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._blocks[id(node.body)] = ("function", self._qualname(node.name.value))

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.frames.append(_Frame("class", self._qualname(node.name.value)))

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.frames.pop()

    def visit_If(self, node: cst.If) -> None:
        if is_main_guard(node.test):
            self._blocks[id(node.body)] = ("main", "")
        elif is_type_checking(node.test, resolve(self.ctx, node.test)):
            self._blocks[id(node.body)] = ("typing", "")

    def _block(self, node: cst.CSTNode, step: int) -> None:
        """Enter (``step`` 1) or leave (-1) a block recorded by ``visit_FunctionDef`` / ``visit_If``."""
        block = self._blocks.get(id(node))
        if block is None:
            return
        kind, name = block
        if kind == "typing":
            self.type_checking += step
            return
        self.deferred += step
        if kind == "function":
            if step > 0:
                self.frames.append(_Frame("function", name))
            else:
                self.frames.pop()

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self._block(node, 1)

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock) -> None:
        self._block(original_node, -1)

    def visit_SimpleStatementSuite(self, node: cst.SimpleStatementSuite) -> None:
        self._block(node, 1)

    def leave_SimpleStatementSuite(self, original_node: cst.SimpleStatementSuite) -> None:
        self._block(original_node, -1)

    def visit_Call(self, node: cst.Call) -> None:
        if type(node.func) is cst.Lambda:
            self._immediate.add(id(node.func))

    def visit_Lambda(self, node: cst.Lambda) -> None:
        if id(node) not in self._immediate:
            self._deferred_lambdas.add(id(node))
            self._lambda_params.add(id(node.params))
            self.deferred += 1

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        if id(original_node) in self._deferred_lambdas:
            self.deferred -= 1

    def visit_Parameters(self, node: cst.Parameters) -> None:
        if id(node) in self._lambda_params:
            self.deferred -= 1  # a lambda's defaults run where the lambda is made

    def leave_Parameters(self, original_node: cst.Parameters) -> None:
        if id(original_node) in self._lambda_params:
            self.deferred += 1


__all__ = ["ScopeTracker"]
