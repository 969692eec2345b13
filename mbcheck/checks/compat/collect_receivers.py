"""Receivers for the compatibility collector: the standard-library class a method is called on.

``"s".removeprefix("x")`` needs Python 3.9 although no name in it is
qualified: the receiver is a ``str`` literal. :class:`ReceiverTypes` knows
the class of an expression when it is evident from the code itself:

* a literal: ``str`` (also f-strings and concatenations), ``bytes``,
  ``int``, ``float``, ``complex``, ``dict``, ``list``, ``set``, ``tuple`` and
  their comprehensions;
* a call of a standard-library class (``PurePath("a")``, ``dict(a=1)``), of a
  factory whose result class is listed in :data:`FACTORIES`
  (``asyncio.create_task(...)`` is an ``asyncio.Task``), or of a callable whose
  return annotation in the stubs names one class (the table's ``returns``:
  ``os.stat(p)`` is an ``os.stat_result``; also methods of a receiver whose
  class is evident: ``Path.cwd().resolve()`` is a ``Path``);
* a name bound to one of those in the same scope, in a block that encloses
  the use (``p = PurePath(); p.with_stem("x")``; a binding inside an ``if``
  does not type a use after it), or annotated with a class
  (``def f(p: Path):``, ``x: str = ...``, ``Optional[Path]``, ``Path | None``,
  ``dict[str, int]``).

Any other binding of the name forgets its class. A member is looked up on
the class and then on its bases (:data:`BASES`, for the classes whose
members the tables date through a base: ``Path`` inherits ``PurePath``), as
the qualified name the tables use (``builtins.str.removeprefix``,
``pathlib.PurePath.with_stem``). A class is any name the tables date
members of, or a built-in type.

It also finds the dict union operators (``{} | {}``, ``d |= {...}`` when
both sides are evidently dicts; PEP 584, 3.9), a run-time feature.
"""

from __future__ import annotations

import builtins
from collections import deque
from functools import cache

import libcst as cst

from mbcheck.checks.compat.tables import (
    returning_names,
    stdlib_keyword_table,
    stdlib_members,
    stdlib_returns,
)
from mbcheck.pyfile.literals import string_value
from mbcheck.pyfile.traverse import Collector, FileContext

#: built-in types (their qualified names)
BUILTIN_TYPES = frozenset(
    f"builtins.{name}"
    for name, value in vars(builtins).items()
    if isinstance(value, type) and not issubclass(value, BaseException)
)

#: base classes of standard-library classes whose members the tables may list on a base. Only
#: subclasses that do not redefine a dated member of their base: the tables list only members
#: with a version, so a subclass's own, older definition (``datetime.datetime.strptime``, while
#: ``datetime.date.strptime`` is new in 3.14) would be invisible
BASES: dict[str, tuple[str, ...]] = {
    "builtins.bool": ("builtins.int",),
    "pathlib.Path": ("pathlib.PurePath",),
    "pathlib.PosixPath": ("pathlib.Path", "pathlib.PurePosixPath"),
    "pathlib.WindowsPath": ("pathlib.Path", "pathlib.PureWindowsPath"),
    "pathlib.PurePosixPath": ("pathlib.PurePath",),
    "pathlib.PureWindowsPath": ("pathlib.PurePath",),
    "asyncio.Task": ("asyncio.Future",),
    "asyncio.tasks.Task": ("asyncio.Task",),
    "collections.OrderedDict": ("builtins.dict",),
    "collections.defaultdict": ("builtins.dict",),
    "collections.Counter": ("builtins.dict",),
}

#: classes with a lower-case name the tables date members of
LOWER_CASE_CLASSES = frozenset(
    {"collections.deque", "array.array", "datetime.date", "datetime.time", "datetime.timedelta", "datetime.datetime",
     "socket.socket"}
)

#: callables (not classes) whose result is an instance of a standard-library class
FACTORIES: dict[str, str] = {
    "asyncio.create_task": "asyncio.Task",
    "asyncio.current_task": "asyncio.Task",
    "asyncio.get_running_loop": "asyncio.AbstractEventLoop",
    "asyncio.new_event_loop": "asyncio.AbstractEventLoop",
    "pathlib.Path.cwd": "pathlib.Path",
    "pathlib.Path.home": "pathlib.Path",
    "re.compile": "re.Pattern",
    "re.match": "re.Match",
    "re.fullmatch": "re.Match",
    "re.search": "re.Match",
    "datetime.datetime.now": "datetime.datetime",
    "datetime.datetime.utcnow": "datetime.datetime",
    "datetime.datetime.fromtimestamp": "datetime.datetime",
    "datetime.date.today": "datetime.date",
    "logging.getLogger": "logging.Logger",
    "subprocess.run": "subprocess.CompletedProcess",
    "hashlib.sha256": "hashlib._Hash",
    "hashlib.md5": "hashlib._Hash",
    "hashlib.sha1": "hashlib._Hash",
    "hashlib.new": "hashlib._Hash",
}

#: wrappers an annotation may put around the class (``Optional[Path]``)
_OPTIONAL = frozenset({"typing.Optional", "typing_extensions.Optional"})


@cache
def member_owners() -> frozenset[str]:
    """Every dotted prefix of a tabled member, or of a callable with dated keywords, that has
    members itself (``pathlib.PurePath``, ``threading.Semaphore`` for ``release(n=)``)."""
    owners: set[str] = set()
    for name in (*stdlib_members(), *stdlib_keyword_table()):
        parts = name.split(".")
        for cut in range(1, len(parts)):
            owners.add(".".join(parts[:cut]))
    return frozenset(owners)


def is_class(qname: str) -> bool:
    """Whether ``qname`` names a class this module reasons about (see the module docstring)."""
    if qname in BUILTIN_TYPES or qname in BASES or qname in LOWER_CASE_CLASSES:
        return True
    last = qname.rsplit(".", 1)[-1]
    # what owns tabled members is a module (lower case) or a class (``IMAP4``, ``UUID`` too)
    return qname in member_owners() and last[:1].isupper()


def classes_of(qname: str) -> tuple[str, ...]:
    """``qname`` and its bases, nearest first (each once)."""
    out: list[str] = []
    pending = deque([qname])
    while pending:
        current = pending.popleft()
        if current in out:
            continue
        out.append(current)
        pending.extend(BASES.get(current, ()))
    return tuple(out)


def member_of(qname: str, attr: str) -> str | None:
    """The tabled member ``attr`` of class ``qname`` or of a base (``pathlib.PurePath.with_stem``)."""
    members = stdlib_members()
    for cls in classes_of(qname):
        name = f"{cls}.{attr}"
        if name in members:
            return name
    return None


def _string_class(node: cst.BaseString) -> str:
    while type(node) is cst.ConcatenatedString:
        node = node.left
    if type(node) is cst.SimpleString and "b" in node.prefix.lower():
        return "builtins.bytes"
    return "builtins.str"


_LITERALS: dict[type, str] = {
    cst.Integer: "builtins.int",
    cst.Float: "builtins.float",
    cst.Imaginary: "builtins.complex",
    cst.FormattedString: "builtins.str",
    cst.Dict: "builtins.dict",
    cst.DictComp: "builtins.dict",
    cst.List: "builtins.list",
    cst.ListComp: "builtins.list",
    cst.Set: "builtins.set",
    cst.SetComp: "builtins.set",
    cst.Tuple: "builtins.tuple",
}


class _Typed:
    """What a name was bound to (a value, or an annotation), and the block of the binding.

    The class is worked out on the first use as a receiver (most names never are one)."""

    __slots__ = ("annotation", "block", "cls", "node", "resolved")

    def __init__(self, node: cst.BaseExpression | None, annotation: cst.BaseExpression | None, block: int) -> None:
        self.node = node
        self.annotation = annotation
        self.block = block
        self.cls: str | None = None
        self.resolved = False


class ReceiverTypes(Collector):
    """Keeps the evident class of names and finds the class of a receiver (:meth:`class_of`).

    A part of the collector, first in its bases: every visit here passes the
    node on with ``super()``.
    """

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        #: per function or class scope: names with an evident class
        self._receiver_types: list[dict[str, _Typed]] = [{}]
        #: the blocks enclosing the node being visited (ids), innermost last
        self._receiver_blocks: list[int] = [0]
        self._receiver_open: set[int] = {0}

    def _runtime(self, node: cst.CSTNode, fid: str) -> None:
        """``node`` uses the run-time feature ``fid`` (recorded by the collector, guards respected)."""
        raise NotImplementedError

    # -- the class of an expression --------------------------------------------
    def class_of(self, node: cst.BaseExpression) -> str | None:
        """The standard-library class of ``node``'s value when the code makes it evident."""
        kind = type(node)
        if kind in _LITERALS:
            return _LITERALS[kind]
        if (type(node) is cst.SimpleString or type(node) is cst.ConcatenatedString):
            return _string_class(node)
        if type(node) is cst.NamedExpr:
            return self.class_of(node.value)
        if type(node) is cst.Name:
            typed = self._receiver_types[-1].get(node.value)
            if typed is None or typed.block not in self._receiver_open:
                return None
            bindings = self.ctx.names.scopes[-1].bindings
            if node.value not in bindings or bindings[node.value] is not None:
                return None  # rebound by an import, a definition or an alias
            if not typed.resolved:
                typed.resolved = True
                if typed.annotation is not None:
                    typed.cls = self.annotation_class(typed.annotation)
                if typed.cls is None and typed.node is not None:
                    typed.cls = self.class_of(typed.node)
            return typed.cls
        if type(node) is cst.Call:
            qname = self.ctx.qualified_name(node.func)
            if qname is None:
                return self._method_result(node.func)
            if qname in FACTORIES:
                return FACTORIES[qname]
            if is_class(qname):
                return qname
            return stdlib_returns().get(qname)
        return None

    def _method_result(self, func: cst.BaseExpression) -> str | None:
        """The class a method returns when its receiver's class is evident
        (``re.compile(p).fullmatch(s)`` is a ``re.Match``; ``Path.cwd().resolve()`` a ``Path``)."""
        if type(func) is not cst.Attribute or func.attr.value not in returning_names():
            return None
        cls = self.class_of(func.value)
        if cls is None:
            return None
        returns = stdlib_returns()
        for owner in classes_of(cls):
            found = returns.get(f"{owner}.{func.attr.value}")
            if found is not None:
                return found
        return None

    def annotation_class(self, node: cst.BaseExpression) -> str | None:
        """The class an annotation names (``Path``, ``Optional[Path]``, ``Path | None``, ``"Path"``,
        ``dict[str, int]``)."""
        if type(node) is cst.SimpleString:
            value = string_value(node)
            text = value if isinstance(value, str) else ""
            if not text.replace(".", "").isidentifier():
                return None
            try:
                node = cst.parse_expression(text)
            except cst.ParserSyntaxError:
                return None
        if type(node) is cst.BinaryOperation and type(node.operator) is cst.BitOr:
            left, right = node.left, node.right
            if type(right) is cst.Name and right.value == "None":
                return self.annotation_class(left)
            if type(left) is cst.Name and left.value == "None":
                return self.annotation_class(right)
            return None
        if type(node) is cst.Subscript:
            if self.ctx.qualified_name(node.value) in _OPTIONAL and len(node.slice) == 1:
                index = node.slice[0].slice
                if type(index) is cst.Index:
                    return self.annotation_class(index.value)
            # a parameterised class names the class (``dict[str, int]``, ``deque[int]``)
            qname = self.ctx.qualified_name(node.value)
            return qname if qname is not None and is_class(qname) else None
        qname = self.ctx.qualified_name(node)
        return qname if qname is not None and is_class(qname) else None

    def receiver_member(self, node: cst.Attribute) -> tuple[str, tuple[str, ...]] | None:
        """The tabled member an attribute reaches through its receiver's class, with the
        names a ``hasattr`` check on it may use (the class and each base with the attribute)."""
        cls = self.class_of(node.value)
        if cls is None:
            return None
        attr = node.attr.value
        member = member_of(cls, attr)
        if member is None:
            return None
        return member, tuple(f"{c}.{attr}" for c in classes_of(cls))

    def _receiver_name(self, node: cst.BaseExpression) -> str | None:
        """The class of a ``hasattr`` subject (for the guard tracker)."""
        return self.class_of(node)

    # -- bindings ------------------------------------------------------------------
    def _set(self, name: cst.Name, value: cst.BaseExpression | None, annotation: cst.BaseExpression | None = None) -> None:
        """``name`` is bound to ``value`` (its class from ``annotation`` first, when given)."""
        self._receiver_types[-1][name.value] = _Typed(value, annotation, self._receiver_blocks[-1])

    def _forget(self, target: cst.CSTNode) -> None:
        if type(target) is cst.Name:
            self._receiver_types[-1].pop(target.value, None)
        elif (type(target) is cst.Tuple or type(target) is cst.List):
            for element in target.elements:
                self._forget(element.value)
        elif type(target) is cst.StarredElement:
            self._forget(target.value)

    def leave_Assign(self, original_node: cst.Assign) -> None:
        targets = original_node.targets
        if len(targets) == 1 and type(targets[0].target) is cst.Name:
            self._set(targets[0].target, original_node.value)
        else:
            for target in targets:
                self._forget(target.target)
        super().leave_Assign(original_node)

    def leave_AnnAssign(self, original_node: cst.AnnAssign) -> None:
        target = original_node.target
        if type(target) is cst.Name:
            self._set(target, original_node.value, original_node.annotation.annotation)
        super().leave_AnnAssign(original_node)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if type(node.operator) is cst.BitOrAssign and self.class_of(node.target) == "builtins.dict":
            self._runtime(node, "dict_union_operator")
        super().visit_AugAssign(node)

    def leave_AugAssign(self, original_node: cst.AugAssign) -> None:
        keep = type(original_node.operator) is cst.BitOrAssign and self.class_of(original_node.target) == "builtins.dict"
        if not keep:
            self._forget(original_node.target)
        super().leave_AugAssign(original_node)

    def leave_NamedExpr(self, original_node: cst.NamedExpr) -> None:
        if type(original_node.target) is cst.Name:
            self._set(original_node.target, original_node.value)
        super().leave_NamedExpr(original_node)

    def visit_For(self, node: cst.For) -> None:
        self._forget(node.target)
        super().visit_For(node)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._forget(node.target)
        super().visit_CompFor(node)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._forget(node.asname.name)
        super().visit_WithItem(node)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            self._forget(node.name.name)
        super().visit_ExceptHandler(node)

    def visit_Del(self, node: cst.Del) -> None:
        self._forget(node.target)
        super().visit_Del(node)

    def visit_Global(self, node: cst.Global) -> None:
        for item in node.names:
            self._forget(item.name)
        super().visit_Global(node)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        for item in node.names:
            self._forget(item.name)
        super().visit_Nonlocal(node)

    # -- scopes and blocks ----------------------------------------------------------
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._forget(node.name)
        super().visit_FunctionDef(node)
        self._receiver_types.append({})
        params = node.params
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            if param.annotation is not None:
                self._set(param.name, None, param.annotation.annotation)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._receiver_types.pop()
        super().leave_FunctionDef(original_node)

    def visit_Lambda(self, node: cst.Lambda) -> None:
        super().visit_Lambda(node)
        self._receiver_types.append({})

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        self._receiver_types.pop()
        super().leave_Lambda(original_node)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._forget(node.name)
        super().visit_ClassDef(node)
        self._receiver_types.append({})

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._receiver_types.pop()
        super().leave_ClassDef(original_node)

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self._receiver_blocks.append(id(node))
        self._receiver_open.add(id(node))
        super().visit_IndentedBlock(node)

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock) -> None:
        super().leave_IndentedBlock(original_node)
        self._receiver_open.discard(self._receiver_blocks.pop())

    def visit_SimpleStatementSuite(self, node: cst.SimpleStatementSuite) -> None:
        self._receiver_blocks.append(id(node))
        self._receiver_open.add(id(node))
        super().visit_SimpleStatementSuite(node)

    def leave_SimpleStatementSuite(self, original_node: cst.SimpleStatementSuite) -> None:
        super().leave_SimpleStatementSuite(original_node)
        self._receiver_open.discard(self._receiver_blocks.pop())

    # -- operators --------------------------------------------------------------------
    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        if (
            type(node.operator) is cst.BitOr
            and self.class_of(node.left) == "builtins.dict"
            and self.class_of(node.right) == "builtins.dict"
        ):
            self._runtime(node, "dict_union_operator")
        super().visit_BinaryOperation(node)


__all__ = ["BASES", "BUILTIN_TYPES", "FACTORIES", "ReceiverTypes", "classes_of", "is_class", "member_of", "member_owners"]
