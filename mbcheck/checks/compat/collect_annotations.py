"""Annotations and type expressions that run: PEP 585 generics and PEP 604 unions.

``def f() -> list[str]:`` parses on every Python 3 but raises ``TypeError``
on 3.8 when the ``def`` runs: parameter and return annotations, and
variable annotations at module or class level, are evaluated at definition
time unless the module has ``from __future__ import annotations``. Local
variable annotations are never evaluated, and string annotations are not
code. :class:`RuntimeAnnotations` tells which annotation is evaluated and
finds, in code that runs:

* ``list[str]``, ``dict[str, int]``, ``tuple[...]``, ``type[...]``,
  ``collections.abc.Iterable[int]``, ... (PEP 585, 3.9): in evaluated
  annotations and in any other expression (``cast(list[int], x)``, base
  classes such as ``class C(list[int]):``, ``Alias = dict[str, int]``);
* ``X | Y`` unions (PEP 604, 3.10): any ``|`` in an evaluated annotation, and
  outside annotations a ``|`` between types (built-in classes, ``None``,
  generics, ``typing`` names, classes the tables know):
  ``isinstance(x, int | str)``.

Annotations left unevaluated by ``from __future__ import annotations`` are
kept per function or class: ``typing.get_type_hints(f)`` evaluates them,
and the call makes them count (at the annotation, under the call's guards).
"""

from __future__ import annotations

import libcst as cst

from mbcheck.checks.compat.collect_receivers import BUILTIN_TYPES, is_class
from mbcheck.pyfile.traverse import Collector, FileContext

#: classes that became generic at run time in 3.9 (PEP 585), besides ``collections.abc.*``
GENERIC_CLASSES = frozenset(
    {
        "builtins.list",
        "builtins.dict",
        "builtins.tuple",
        "builtins.set",
        "builtins.frozenset",
        "builtins.type",
        "collections.deque",
        "collections.defaultdict",
        "collections.OrderedDict",
        "collections.Counter",
        "collections.ChainMap",
        "contextlib.AbstractContextManager",
        "contextlib.AbstractAsyncContextManager",
        "re.Pattern",
        "re.Match",
    }
)
#: nested forms needing the same or an older release are one use with the outer form
_RANK = {"builtin_generic_alias": 1, "union_type_operator": 2}
_TYPE_HINTS = frozenset({"typing.get_type_hints", "typing_extensions.get_type_hints"})


def generic_class(qname: str | None) -> bool:
    return qname is not None and (qname in GENERIC_CLASSES or qname.startswith("collections.abc."))


class RuntimeAnnotations(Collector):
    """Finds PEP 585 generics and PEP 604 unions in code that runs (see the module docstring).

    A part of the collector, before the syntax features in its bases: every
    visit here passes the node on with ``super()``.
    """

    _future_annotations: bool

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        #: annotations evaluated when their statement runs (ids)
        self._evaluated: set[int] = set()
        #: annotations ``get_type_hints`` of an owner evaluates: id -> owner ("f", "C", "C.m")
        self._deferred_owner: dict[int, str] = {}
        #: per enclosing annotation: evaluated, and the owner whose hints it belongs to
        self._annotation_stack: list[tuple[bool, str | None]] = []
        #: unevaluated uses per owner, for ``get_type_hints``
        self._deferred: dict[str, list[tuple[cst.CSTNode, str]]] = {}
        #: names of the enclosing functions and classes
        self._owners: list[str] = []
        self._inner_unions: set[int] = set()
        #: the outermost generic or union being visited (its id), 0 outside one
        self._within_form = 0
        self._within_rank = 0

    def _runtime(self, node: cst.CSTNode, fid: str) -> None:
        """``node`` uses the run-time feature ``fid`` (recorded by the collector, guards respected)."""
        raise NotImplementedError

    # -- where annotations run ---------------------------------------------------
    def _annotation_owner(self, annotation: cst.Annotation | None, owner: str) -> None:
        if annotation is None:
            return
        if self._future_annotations:
            self._deferred_owner[id(annotation)] = owner
        else:
            self._evaluated.add(id(annotation))

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        owner = ".".join((*self._owners, node.name.value))
        params = node.params
        for param in (*params.posonly_params, *params.params, *params.kwonly_params, params.star_arg, params.star_kwarg):
            if type(param) is cst.Param:
                self._annotation_owner(param.annotation, owner)
        self._annotation_owner(node.returns, owner)
        self._owners.append(node.name.value)
        super().visit_FunctionDef(node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._owners.pop()
        super().leave_FunctionDef(original_node)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._owners.append(node.name.value)
        super().visit_ClassDef(node)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._owners.pop()
        super().leave_ClassDef(original_node)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        scopes = self.ctx.names.scopes
        if len(scopes) == 1 or scopes[-1].is_class:
            self._annotation_owner(node.annotation, ".".join(self._owners))
        super().visit_AnnAssign(node)

    def visit_Annotation(self, node: cst.Annotation) -> None:
        self._annotation_stack.append((id(node) in self._evaluated, self._deferred_owner.get(id(node))))
        super().visit_Annotation(node)

    def leave_Annotation(self, original_node: cst.Annotation) -> None:
        self._annotation_stack.pop()
        super().leave_Annotation(original_node)

    def _runtime_annotation(self, node: cst.CSTNode, fid: str) -> None:
        """A generic or union here: recorded when it runs, kept for ``get_type_hints`` otherwise.
        A form inside one already found is recorded only when it needs a newer release
        (``dict[str, list[int]]`` is one use, ``dict[str, int | None]`` needs 3.10)."""
        rank = _RANK[fid]
        if self._within_form and rank <= self._within_rank:
            return
        if not self._within_form:
            self._within_form, self._within_rank = id(node), rank
        if not self._annotation_stack:
            self._runtime(node, fid)
            return
        evaluated, owner = self._annotation_stack[-1]
        if evaluated:
            self._runtime(node, fid)
        elif owner is not None:
            self._deferred.setdefault(owner, []).append((node, fid))

    # -- the forms ---------------------------------------------------------------
    def visit_Subscript(self, node: cst.Subscript) -> None:
        if generic_class(self.ctx.qualified_name(node.value)):
            self._runtime_annotation(node, "builtin_generic_alias")
        super().visit_Subscript(node)

    def leave_Subscript(self, original_node: cst.Subscript) -> None:
        if self._within_form == id(original_node):
            self._within_form = 0
        super().leave_Subscript(original_node)

    def leave_BinaryOperation(self, original_node: cst.BinaryOperation) -> None:
        if self._within_form == id(original_node):
            self._within_form = 0
        super().leave_BinaryOperation(original_node)

    def _type_operand(self, node: cst.BaseExpression) -> bool:
        """Whether ``node`` is evidently a type (a side of a run-time union)."""
        if type(node) is cst.Subscript:
            node = node.value
        qname = self.ctx.qualified_name(node)
        if qname is None:
            return False
        return qname in BUILTIN_TYPES or qname.startswith(("typing.", "typing_extensions.")) or is_class(qname) or generic_class(qname)

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        if type(node.operator) is cst.BitOr and id(node) not in self._inner_unions:
            self._binary_or(node)
        super().visit_BinaryOperation(node)

    def _binary_or(self, node: cst.BinaryOperation) -> None:
        """A chain ``a | b | c``: a union of types when it sits in an annotation that is
        evaluated (or kept for ``get_type_hints``), or when every side is evidently a type."""
        leaves: list[cst.BaseExpression] = []
        inner: list[int] = []
        pending: list[cst.BaseExpression] = [node.left, node.right]
        while pending:
            side = pending.pop()
            if type(side) is cst.BinaryOperation and type(side.operator) is cst.BitOr:
                inner.append(id(side))
                pending.extend((side.left, side.right))
            else:
                leaves.append(side)
        if any((type(leaf) is cst.SimpleString or type(leaf) is cst.ConcatenatedString) for leaf in leaves):
            return  # a forward reference in a union fails on every release
        if self._annotation_stack:
            evaluated, owner = self._annotation_stack[-1]
            union = evaluated or owner is not None
        else:
            nones = sum(type(leaf) is cst.Name and leaf.value == "None" for leaf in leaves)
            union = nones < len(leaves) and all(
                (type(leaf) is cst.Name and leaf.value == "None") or self._type_operand(leaf) for leaf in leaves
            )
        if union:
            self._inner_unions.update(inner)
            self._runtime_annotation(node, "union_type_operator")

    def _type_hints_call(self, node: cst.Call) -> None:
        """``get_type_hints(f)``: the unevaluated annotations of ``f`` run now."""
        if not node.args or not self._deferred or self.ctx.qualified_name(node.func) not in _TYPE_HINTS:
            return
        target = node.args[0].value
        parts: list[str] = []
        while type(target) is cst.Attribute:
            parts.append(target.attr.value)
            target = target.value
        if type(target) is not cst.Name:
            return
        parts.append(target.value)
        owner = ".".join(reversed(parts))
        for used, fid in self._deferred.get(owner, ()):
            self._runtime(used, fid)


__all__ = ["GENERIC_CLASSES", "RuntimeAnnotations", "generic_class"]
