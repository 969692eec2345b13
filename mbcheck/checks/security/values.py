"""Static values on the syntax tree: qualified names and constant folding.

What the security collector and the security source rules ask of an
expression, per file, without running anything:

* :func:`resolve` — the qualified name an expression denotes, following what
  :class:`~mbcheck.pyfile.names.NameTracker` follows plus the obfuscated spellings
  (``__import__('o' + 's')``, ``getattr(builtins, 'ev' + 'al')``,
  ``__builtins__['exec']``, ``sys.modules['os']``, and every reflective form of
  :mod:`~mbcheck.checks.security.reflect`);
* :func:`fold_string` — the value of an expression that is a string in
  disguise (concatenations, ``''.join``, reversal, ``chr`` codes, literal
  base64 / hex decoded as data — never run), and :func:`fold_bytes`;
* :class:`FileState` — what these share per file (module-level string
  constants, star imports, resolved names, names holding paths or decoded
  data), one per file in ``ctx.security_state`` (see :func:`state`).

Only collectors and source rules use this module (it imports libcst).
"""

from __future__ import annotations

import base64
import binascii
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import libcst as cst

from mbcheck.checks.security.classify import StaticPath, in_package
from mbcheck.checks.security.tables import tables
from mbcheck.pyfile.literals import KEYWORDS, literal_bytes, literal_int, literal_string
from mbcheck.pyfile.names import CONSTANTS, ident, written
from mbcheck.pyfile.traverse import NODE_TYPES, TRIVIA, FileContext, child_fields, child_nodes

#: calls that import a module by its name as a string
DYNAMIC_IMPORTERS = frozenset({"builtins.__import__", "importlib.import_module", "importlib.__import__"})
#: the largest folded string or bytes (the same bound as :data:`~mbcheck.checks.security.fold.MAX_FOLD`)
_MAX_FOLD = 65_536

# --------------------------------------------------------------------------
# Per-file state shared by every security visitor of one file


@dataclass
class FileState:
    """Derived facts about one file, computed once and shared by the security visitors."""

    constants: dict[str, str]
    star_modules: tuple[str, ...] = ()
    resolved: dict[int, str | None] = field(default_factory=dict)
    #: names known to hold a path: name -> its static value (None: a path, value unknown)
    path_names: dict[str, StaticPath | None] = field(default_factory=dict)
    #: ``self.<name>`` attributes assigned a path anywhere in the file
    path_attrs: dict[str, StaticPath | None] = field(default_factory=dict)
    seen: set[int] = field(default_factory=set)
    #: names holding decoded data: name -> the decoder (``base64.b64decode``)
    tainted: dict[str, str] = field(default_factory=dict)
    #: statements (by id) that call a decoder or use decoded data -> the decoder
    decoder_statements: dict[int, str] = field(default_factory=dict)
    #: names the module calls (``f(...)``), made on first need
    called_names: set[str] | None = None
    #: module-level names holding one expression (:func:`~mbcheck.checks.security.fold.module_expressions`)
    expressions: dict[str, cst.BaseExpression] | None = None
    #: what :func:`fold_string` / :func:`fold_bytes` found for a node (by id)
    folded_strings: dict[int, str | None] = field(default_factory=dict)
    folded_bytes: dict[int, bytes | None] = field(default_factory=dict)
    #: the obfuscation rules' :class:`~mbcheck.checks.security.obfuscation.Flow`, made on first need
    obfuscation: object | None = None
    #: names bound exactly once in the whole file, by a plain assignment: name -> value (made on first need)
    single_values: dict[str, cst.BaseExpression] | None = None
    #: (function, name) a function binds only by ``for name in ('a', 'b')`` loops -> the strings
    loop_choices: dict[tuple[int, str], tuple[str, ...]] | None = None
    #: statements (by id) -> the function they are in (``0``: module level)
    statement_function: dict[int, int] = field(default_factory=dict)
    #: the permissions each call shows (by node id), for rules that ask about the same call
    call_permissions: dict[int, frozenset[str]] = field(default_factory=dict)
    #: what :func:`~mbcheck.checks.security.calls.classify_call` found for a call (by id) and name
    call_uses: dict[tuple[int, str | None], tuple[Any, ...]] = field(default_factory=dict)
    #: whether the file's text names anything a lookup is written with (None: not yet known)
    lookups: bool | None = None
    #: names being resolved through their single value (a guard against ``x = x.y``)
    following: set[str] = field(default_factory=set)


def _module_constants(module: cst.Module) -> dict[str, str]:
    """Module-level names assigned exactly once, to a plain string literal."""
    values: dict[str, str | None] = {}
    for statement in module.body:
        if type(statement) is not cst.SimpleStatementLine:
            continue
        for small in statement.body:
            targets: list[cst.BaseExpression] = []
            value: cst.BaseExpression | None = None
            if type(small) is cst.Assign:
                targets = [t.target for t in small.targets]
                value = small.value
            elif type(small) is cst.AnnAssign:
                targets = [small.target]
                value = small.value
            elif type(small) is cst.AugAssign:
                targets = [small.target]
            for target in targets:
                if type(target) is not cst.Name:
                    continue
                text = literal_string(value) if value is not None and len(targets) == 1 else None
                name = target.value
                values[name] = None if name in values else text
    return {k: v for k, v in values.items() if v is not None}


#: nodes that hold only whitespace and punctuation: no name is bound inside them
_NO_BINDINGS: frozenset[type[cst.CSTNode]] = frozenset({
    cst.SimpleWhitespace, cst.ParenthesizedWhitespace, cst.Newline, cst.EmptyLine, cst.TrailingWhitespace,
    cst.Comment, cst.Comma, cst.Colon, cst.Semicolon, cst.Dot, cst.AssignEqual, cst.LeftParen, cst.RightParen,
    cst.LeftSquareBracket, cst.RightSquareBracket, cst.LeftCurlyBrace, cst.RightCurlyBrace, cst.ImportStar,
})
#: every concrete expression node type, and every statement node type (simple or compound)
#: (read from each class's MRO: an ABC ``issubclass`` over every node type costs
#: tens of thousands of calls at import; libcst registers no virtual subclasses)
_EXPRESSIONS: frozenset[type] = frozenset(kind for kind in NODE_TYPES if cst.BaseExpression in kind.__mro__)
_STATEMENTS: frozenset[type] = frozenset(
    kind for kind in NODE_TYPES
    if cst.BaseStatement in kind.__mro__ or cst.BaseSmallStatement in kind.__mro__
)



class _Bindings:
    """Every way a file binds a name: plain assignments with their value, and all other forms.

    Its ``visit_<Node>``/``leave_<Node>`` methods are called by :meth:`run` (a plain walk of
    the tree: libcst's ``visit`` would rebuild every node).
    """

    def run(self, module: cst.Module, *, expressions: bool) -> None:
        """Walk the file's statements (and, with ``expressions``, inside every expression too:
        only ``:=`` binds a name there that outlives the expression)."""
        #: per node type: its visit method, its child fields, whether it is a statement
        plans: dict[type, tuple[Callable[[Any], None] | None, tuple[str, ...] | None, bool]] = {}
        functions = self.functions
        statements = self.statement_function
        # the child types worth entering (exact types: a set lookup instead of an ABC isinstance)
        wanted = NODE_TYPES - _NO_BINDINGS - TRIVIA
        if not expressions:
            wanted -= _EXPRESSIONS

        def walk(node: cst.CSTNode) -> None:
            kind = type(node)
            plan = plans.get(kind)
            if plan is None:
                plan = plans[kind] = (getattr(self, f"visit_{kind.__name__}", None), child_fields(kind),
                                      kind in _STATEMENTS)
            method, fields, statement = plan
            if method is not None:
                method(node)
            if statement:
                statements[id(node)] = functions[-1]
            if fields is None:
                for child in child_nodes(node):
                    if type(child) in wanted:
                        walk(child)
            else:
                for name in fields:
                    value = getattr(node, name)
                    if type(value) in wanted:
                        walk(value)
                    elif type(value) is list or type(value) is tuple:
                        for item in value:
                            if type(item) in wanted:
                                walk(item)
            if kind is cst.FunctionDef:
                functions.pop()

        walk(module)

    def __init__(self) -> None:
        self.assigned: dict[str, list[cst.BaseExpression]] = {}
        self.other: set[str] = set()
        #: ``for name in <iterable>`` loops binding a plain name: name -> the iterables
        self.loops: dict[str, list[cst.BaseExpression]] = {}
        #: the same per function (``0``: module level), with every other binding and use of the name there
        self.scoped_loops: dict[tuple[int, str], list[cst.BaseExpression]] = {}
        self.scoped_other: set[tuple[int, str]] = set()
        #: statements (by id) -> the function they are in
        self.statement_function: dict[int, int] = {}
        self.functions: list[int] = [0]

    def _other(self, target: cst.CSTNode | None) -> None:
        if target is None:
            return
        for node in _names_in(target):
            self.other.add(ident(node))
            self.scoped_other.add((self.functions[-1], ident(node)))

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            if type(target.target) is cst.Name and len(node.targets) == 1:
                self.assigned.setdefault(ident(target.target.value), []).append(node.value)
                self.scoped_other.add((self.functions[-1], ident(target.target.value)))
            else:
                self._other(target.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._other(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._other(node.target)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._other(node.target)

    def visit_For(self, node: cst.For) -> None:
        if type(node.target) is cst.Name:
            self.loops.setdefault(ident(node.target.value), []).append(node.iter)
            self.scoped_loops.setdefault((self.functions[-1], ident(node.target.value)), []).append(node.iter)
        else:
            self._other(node.target)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._other(node.target)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        self._other(node.asname.name if node.asname is not None else None)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        self._other(node.name.name if node.name is not None else None)

    def visit_Param(self, node: cst.Param) -> None:
        self.other.add(ident(node.name.value))
        self.scoped_other.add((self.functions[-1], ident(node.name.value)))

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.other.add(ident(node.name.value))
        self.scoped_other.add((self.functions[-1], ident(node.name.value)))
        self.functions.append(id(node))

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.other.add(ident(node.name.value))

    def visit_ImportAlias(self, node: cst.ImportAlias) -> None:
        bound = node.asname.name if node.asname is not None else node.name
        self._other(bound)

    def visit_MatchAs(self, node: cst.MatchAs) -> None:
        self._other(node.name)

    def visit_MatchStar(self, node: cst.MatchStar) -> None:
        self._other(node.name)

    def visit_MatchMapping(self, node: cst.MatchMapping) -> None:
        self._other(node.rest)

    def visit_Global(self, node: cst.Global) -> None:
        self.other.update(ident(n.name.value) for n in node.names)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        self.other.update(ident(n.name.value) for n in node.names)

    def visit_Del(self, node: cst.Del) -> None:
        self._other(node.target)


def _names_in(node: cst.CSTNode) -> list[str]:
    if type(node) is cst.Name:
        return [node.value]
    if type(node) is cst.Attribute:
        return [n for n in _names_in(node.value)] if type(node.value) is cst.Name else []
    if (type(node) is cst.Tuple or type(node) is cst.List):
        return [n for element in node.elements for n in _names_in(element.value)]
    if type(node) is cst.StarredElement:
        return _names_in(node.value)
    return []


#: names without which no lookup can be written (a file whose text, NFKC-normalised as Python
#: reads identifiers, names none of them holds no name bound to one: its bindings are not collected)
_LOOKUP_WORDS = ("attrgetter", "methodcaller", "globals", "locals", "vars", "__builtins__", "__dict__", "getattr",
                 "__import__", "import_module", "modules", "resolve_name", "__getattribute__")


def _may_hold_lookups(ctx: FileContext, found: FileState) -> bool:
    if found.lookups is None:
        text = ctx.positions.text
        if text is not None and not text.isascii():
            text = unicodedata.normalize("NFKC", text)  # identifiers in full-width letters are ASCII to Python
        found.lookups = text is None or any(word in text for word in _LOOKUP_WORDS)
    return found.lookups


def single_value(ctx: FileContext, name: str, *, lookups_only: bool = True) -> cst.BaseExpression | None:
    """The value of ``name`` when the file binds it exactly once, by ``name = value``, else None.

    Scopes are not told apart: the same name bound in two functions is two
    bindings, so the answer is None (never a wrong value). With ``lookups_only``
    (the resolver's question) a file that names nothing a lookup is written with
    answers None without collecting its bindings.
    """
    found = state(ctx)
    if found.single_values is None and lookups_only and not _may_hold_lookups(ctx, found):
        return None
    if found.single_values is None:
        _bindings(ctx, found)
    assert found.single_values is not None
    return found.single_values.get(ident(name))


def _bindings(ctx: FileContext, found: FileState) -> None:
    visitor = _Bindings()
    text = ctx.positions.text
    # a lambda's parameters live only in its body: the statements tell every binding that outlives one
    visitor.run(ctx.module, expressions=text is None or ":=" in text)
    found.single_values = {
        key: values[0] for key, values in visitor.assigned.items()
        if len(values) == 1 and key not in visitor.other and key not in visitor.loops
    }
    choices: dict[tuple[int, str], tuple[str, ...]] = {}
    for key, iterables in visitor.scoped_loops.items():
        if key in visitor.scoped_other:
            continue
        strings: list[str] = []
        for iterable in iterables:
            items = _literal_strings(iterable, found.single_values)
            if items is None:
                break
            strings.extend(items)
        else:
            choices[key] = tuple(strings)
    found.loop_choices = choices
    found.statement_function = visitor.statement_function


def _literal_strings(node: cst.BaseExpression, singles: dict[str, cst.BaseExpression]) -> list[str] | None:
    """The strings of a literal tuple or list of strings (or of a name bound once to one)."""
    if type(node) is cst.Name and node.value in singles:
        node = singles[node.value]
    if (type(node) is not cst.Tuple and type(node) is not cst.List):
        return None
    out: list[str] = []
    for element in node.elements:
        text = literal_string(element.value) if type(element) is cst.Element else None
        if text is None:
            return None
        out.append(text)
    return out


def loop_choices(ctx: FileContext, node: cst.BaseExpression) -> tuple[str, ...] | None:
    """The strings a name can hold when its function binds it only in ``for name in ('a', 'b')`` loops."""
    if type(node) is not cst.Name:
        return None
    found = state(ctx)
    if found.loop_choices is None:
        _bindings(ctx, found)
    assert found.loop_choices is not None
    statement = ctx.statement
    function = found.statement_function.get(id(statement)) if statement is not None else None
    if function is None:
        return None
    return found.loop_choices.get((function, ident(node.value)))


def _star_modules(module: cst.Module) -> tuple[str, ...]:
    """Modules a file imports with ``from m import *`` at its top level."""
    found: list[str] = []
    for statement in module.body:
        if type(statement) is cst.SimpleStatementLine:
            for small in statement.body:
                if (
                    type(small) is cst.ImportFrom
                    and type(small.names) is cst.ImportStar
                    and not small.relative
                    and small.module is not None
                ):
                    found.append(written(small.module))
    return tuple(found)


@cache
def _known_names() -> frozenset[str]:
    """Every qualified name the security table mentions (for ``from m import *``)."""
    data = tables()
    return frozenset({*data.calls, *data.shell_calls, *data.timeout_calls, *data.write_methods,
                      *data.decoders, *data.conditions})


def state(ctx: FileContext) -> FileState:
    """The file's :class:`FileState`, made on first use (``ctx.security_state``)."""
    found = ctx.security_state
    if found is None:
        found = ctx.security_state = FileState(
            constants=_module_constants(ctx.module), star_modules=_star_modules(ctx.module)
        )
    return found


def _bound_locally(ctx: FileContext, name: str) -> bool:
    """Whether ``name`` is bound in a function or class scope enclosing the current node."""
    name = ident(name)
    return any(name in scope.bindings for scope in ctx.names.scopes[1:])


def _bound_anywhere(ctx: FileContext, name: str) -> bool:
    name = ident(name)
    return any(name in scope.bindings for scope in ctx.names.scopes)


# --------------------------------------------------------------------------
# Folding strings in disguise


def _is_builtin(ctx: FileContext, node: cst.BaseExpression, name: str) -> bool:
    return type(node) is cst.Name and ident(node.value) == name and ctx.names.lookup(name) == f"builtins.{name}"


def _fold_sequence(ctx: FileContext, node: cst.BaseExpression, depth: int) -> list[str] | None:
    if (type(node) is cst.List or type(node) is cst.Tuple):
        if len(node.elements) > _MAX_FOLD:
            return None
        out: list[str] = []
        for element in node.elements:
            if type(element) is not cst.Element:
                return None
            text = fold_string(ctx, element.value, depth + 1)
            if text is None:
                return None
            out.append(text)
        return out
    # chr(c) for c in [111, 115]  /  map(chr, [111, 115])
    codes: cst.BaseExpression | None = None
    if (type(node) is cst.GeneratorExp or type(node) is cst.ListComp):
        elt, comp = node.elt, node.for_in
        if (
            type(elt) is cst.Call
            and _is_builtin(ctx, elt.func, "chr")
            and len(elt.args) == 1
            and type(comp.target) is cst.Name
            and type(elt.args[0].value) is cst.Name
            and elt.args[0].value.value == comp.target.value
            and comp.inner_for_in is None
            and not comp.ifs
        ):
            codes = comp.iter
    elif (
        type(node) is cst.Call
        and _is_builtin(ctx, node.func, "map")
        and len(node.args) == 2
        and _is_builtin(ctx, node.args[0].value, "chr")
    ):
        codes = node.args[1].value
    if (type(codes) is cst.List or type(codes) is cst.Tuple):
        chars: list[str] = []
        for element in codes.elements:
            number = literal_int(element.value) if type(element) is cst.Element else None
            if number is None or not 0 <= number < 0x110000:
                return None
            chars.append(chr(number))
        return chars
    return None


_LITERAL_DECODERS = frozenset({
    "base64.b64decode", "base64.standard_b64decode", "base64.decodebytes", "binascii.a2b_base64",
    "base64.urlsafe_b64decode", "base64.b32decode", "base64.b16decode", "base64.b85decode", "base64.a85decode",
    "binascii.unhexlify", "binascii.a2b_hex", "builtins.bytes.fromhex", "builtins.bytearray.fromhex",
})


def _decode_literal(name: str, data: bytes | str) -> bytes | None:
    raw = data.encode("latin-1", errors="ignore") if isinstance(data, str) else data
    try:
        if name in ("base64.b64decode", "base64.standard_b64decode", "base64.decodebytes", "binascii.a2b_base64"):
            return base64.b64decode(raw)
        if name == "base64.urlsafe_b64decode":
            return base64.urlsafe_b64decode(raw)
        if name == "base64.b32decode":
            return base64.b32decode(raw)
        if name == "base64.b16decode":
            return base64.b16decode(raw, casefold=True)
        if name == "base64.b85decode":
            return base64.b85decode(raw)
        if name == "base64.a85decode":
            return base64.a85decode(raw)
        if name in ("binascii.unhexlify", "binascii.a2b_hex", "builtins.bytes.fromhex", "builtins.bytearray.fromhex"):
            return binascii.unhexlify(raw.replace(b" ", b""))
    except (ValueError, binascii.Error):
        return None
    return None


def fold_bytes(ctx: FileContext, node: cst.BaseExpression, depth: int = 0) -> bytes | None:
    """Static bytes: a bytes literal, a literal decoded by base64/hex (as data), and the
    forms of :mod:`~mbcheck.checks.security.fold` (``bytes([...])``, ``.encode('cp1026')``,
    bounded decompression). Each node is folded once per file."""
    if depth > 40:
        return None
    memo = state(ctx).folded_bytes
    key = id(node)
    if key in memo:
        return memo[key]
    found = _fold_bytes(ctx, node, depth)
    if found is not None or depth == 0:
        memo[key] = found
    return found


def _fold_bytes(ctx: FileContext, node: cst.BaseExpression, depth: int) -> bytes | None:
    if type(node) is cst.SimpleString:
        value = literal_bytes(node)
        return value if value is not None and len(value) <= _MAX_FOLD else None
    if type(node) is cst.Call and node.args:
        name = resolve(ctx, node.func)
        if name is not None and name in _LITERAL_DECODERS:
            arg = node.args[0].value
            source: bytes | str | None = fold_bytes(ctx, arg, depth + 1)
            if source is None:
                source = fold_string(ctx, arg, depth + 1)
            if source is None or len(source) > _MAX_FOLD:
                return None
            return _decode_literal(name, source)
    return _more.more_bytes(ctx, node, depth)


def fold_string(ctx: FileContext, node: cst.BaseExpression, depth: int = 0) -> str | None:
    """The value of an expression that is statically a string, or None.

    Follows literals, module-level names holding one, ``+``, ``''.join([...])``,
    ``[::-1]``, ``chr(n)``, ``.lower()``/``.upper()``, f-strings without
    fields, ``codecs.decode(s, 'rot13')`` and ``.decode()`` of static bytes, and
    the forms of :mod:`~mbcheck.checks.security.fold` (``chr`` comprehensions,
    any standard text codec, ``%`` and ``.format`` of plain fields). Nothing is
    executed; every step is bounded, and each node is folded once per file.
    """
    if depth > 40:
        return None
    memo = state(ctx).folded_strings
    key = id(node)
    if key in memo:
        return memo[key]
    found = _fold_string(ctx, node, depth)
    if found is not None or depth == 0:
        memo[key] = found
    return found


def is_reversal(node: cst.Subscript) -> bool:
    """``x[::-1]``."""
    if len(node.slice) != 1:
        return False
    inner_slice = node.slice[0].slice
    return (
        type(inner_slice) is cst.Slice
        and inner_slice.lower is None
        and inner_slice.upper is None
        and type(inner_slice.step) is cst.UnaryOperation
        and type(inner_slice.step.operator) is cst.Minus
        and literal_int(inner_slice.step.expression) == 1
    )


def _fold_string(ctx: FileContext, node: cst.BaseExpression, depth: int) -> str | None:
    text = literal_string(node)
    if text is not None:
        return text
    if type(node) is cst.Name:
        if node.value in state(ctx).constants and not _bound_locally(ctx, node.value):
            return state(ctx).constants[node.value]
        return _more.more_string(ctx, node, depth)
    if type(node) is cst.FormattedString:
        parts: list[str] = []
        for part in node.parts:
            if type(part) is cst.FormattedStringText:
                parts.append(part.value)
            elif type(part) is cst.FormattedStringExpression and part.format_spec is None and part.conversion is None:
                inner = fold_string(ctx, part.expression, depth + 1)
                if inner is None:
                    return None
                parts.append(inner)
            else:
                return None
        joined = "".join(parts)
        return joined if len(joined) <= _MAX_FOLD else None
    if type(node) is cst.BinaryOperation and type(node.operator) is cst.Add:
        left = fold_string(ctx, node.left, depth + 1)
        if left is None:
            return None
        right = fold_string(ctx, node.right, depth + 1)
        return None if right is None or len(left) + len(right) > _MAX_FOLD else left + right
    if type(node) is cst.Subscript:
        if is_reversal(node):
            value = fold_string(ctx, node.value, depth + 1)
            return value[::-1] if value is not None and len(value) <= _MAX_FOLD else None
        return None
    if type(node) is cst.Call:
        func = node.func
        if type(func) is cst.Attribute:
            method = func.attr.value
            if method == "join" and len(node.args) == 1:
                separator = fold_string(ctx, func.value, depth + 1)
                items = _fold_sequence(ctx, node.args[0].value, depth + 1) if separator is not None else None
                if separator is not None and items is not None:
                    joined = separator.join(items)
                    return joined if len(joined) <= _MAX_FOLD else None
            if method == "decode" and not node.args:
                data = fold_bytes(ctx, func.value, depth + 1)
                if data is not None:
                    try:
                        return data.decode("utf-8")
                    except UnicodeDecodeError:
                        return data.decode("latin-1")
        if _is_builtin(ctx, func, "chr") and len(node.args) == 1:
            number = literal_int(node.args[0].value)
            if number is not None:
                return chr(number) if 0 <= number < 0x110000 else None
    return _more.more_string(ctx, node, depth)


def is_plain_literal(node: cst.BaseExpression) -> bool:
    """A string literal as written (not assembled, not decoded)."""
    return literal_string(node) is not None


def is_constant(ctx: FileContext, node: cst.BaseExpression) -> bool:
    """Whether an expression's value is fixed in the source (strings, numbers, lists of them)."""
    if fold_string(ctx, node) is not None:
        return True
    if (type(node) is cst.Integer or type(node) is cst.Float):
        return True
    if type(node) is cst.Name and node.value in KEYWORDS:
        return True
    if (type(node) is cst.List or type(node) is cst.Tuple):
        return all(type(e) is cst.Element and is_constant(ctx, e.value) for e in node.elements)
    return False


# --------------------------------------------------------------------------
# Qualified names, including obfuscated spellings


def resolve(ctx: FileContext, node: cst.BaseExpression) -> str | None:
    """The fully qualified name an expression denotes (see the module docstring)."""
    # every visitor asks about the same callees and names: the memo hit is the common path
    known = ctx.security_state
    memo = (known if known is not None else state(ctx)).resolved
    key = id(node)
    found = memo.get(key, _UNRESOLVED)
    if found is not _UNRESOLVED:
        return found
    found = _resolve(ctx, node)
    if found is not None:
        if found.startswith("builtins.") and found.split(".", 2)[1] in _CONSTANT_BUILTINS:
            found = None  # ``x = None`` then ``x.attr``: a value, not the builtins module
        else:
            found = tables().canonical(found)  # ``posix.system`` is ``os.system``
    memo[key] = found
    return found


_CONSTANT_BUILTINS = frozenset({"None", "True", "False", "Ellipsis", "NotImplemented"})
#: not yet in the memo (None is an answer; no qualified name holds a NUL)
_UNRESOLVED = "\0unresolved"


def _resolve(ctx: FileContext, node: cst.BaseExpression) -> str | None:
    if type(node) is cst.Name:  # the common question, answered as NameTracker.qualified_name does
        found = None if node.value in CONSTANTS else ctx.names.lookup(node.value)
    else:
        found = ctx.qualified_name(node)
    if found is not None:
        return found
    if type(node) is cst.Name:
        if _bound_anywhere(ctx, node.value):
            known = state(ctx)
            if known.single_values is None and known.lookups is False:
                return None  # what :func:`single_value` answers in a file that writes no lookup
            return _follow(ctx, node.value)
        if ident(node.value) == "__builtins__":
            return "builtins"
        for module in state(ctx).star_modules:
            candidate = f"{module}.{ident(node.value)}"
            if candidate in _known_names():
                return candidate  # ``from os import *`` then ``system(cmd)``
        return None
    if type(node) is cst.Attribute:
        base = resolve(ctx, node.value)
        if base is None:
            return None
        member = ident(node.attr.value)
        if base == "builtins" and member == "__dict__":
            return "builtins.__dict__"
        return f"{base}.{member}"
    if type(node) is cst.Call:
        func = resolve(ctx, node.func)
        if func in DYNAMIC_IMPORTERS and node.args:
            return fold_string(ctx, node.args[0].value)
        if func == "builtins.getattr" and len(node.args) >= 2:
            base = resolve(ctx, node.args[0].value)
            attr = fold_string(ctx, node.args[1].value)
            if base is not None and attr is not None:
                return f"{base}.{attr}"
        if func == "builtins.vars" and len(node.args) == 1 and resolve(ctx, node.args[0].value) == "builtins":
            return "builtins.__dict__"
        return resolve_reflective(ctx, node)
    if type(node) is cst.IfExp:
        body = resolve(ctx, node.body)
        return body if body is not None and body == resolve(ctx, node.orelse) else None
    if type(node) is cst.Subscript and len(node.slice) == 1:
        index = node.slice[0].slice
        if type(index) is not cst.Index:
            return None
        base = resolve(ctx, node.value)
        if base in ("builtins", "builtins.__dict__"):
            key = fold_string(ctx, index.value)
            return f"builtins.{key}" if key else None
        return resolve_reflective(ctx, node)  # vars(m)[k], m.__dict__[k], globals()[k], sys.modules[k]
    return None



#: values a name bound once is followed through: lookups, not computations
_FOLLOWED: frozenset[type] = frozenset({cst.Attribute, cst.Subscript, cst.IfExp, cst.Call})


def _follow(ctx: FileContext, name: str) -> str | None:
    """What a local name bound once to a lookup denotes (``b = globals()['__builtins__']``)."""
    value = single_value(ctx, name)
    if value is None or type(value) not in _FOLLOWED or name in state(ctx).following:
        return None
    if type(value) is cst.Call and not _resolves_call(ctx, value):
        return None
    following = state(ctx).following
    following.add(name)
    try:
        return resolve(ctx, value)
    finally:
        following.discard(name)


def _resolves_call(ctx: FileContext, call: cst.Call) -> bool:
    """Calls whose value is a name (``getattr(m, 'x')``, ``import_module('os')``), not a computed result."""
    func = resolve(ctx, call.func)
    return func in DYNAMIC_IMPORTERS or func in ("builtins.getattr", "builtins.vars")


def plugin_internal(ctx: FileContext, name: str) -> bool:
    """Whether a qualified name is one of the plugin's own (its package or inside it)."""
    return in_package(name, ctx.package)


from mbcheck.checks.security import fold as _more  # noqa: E402  (it uses this module)
from mbcheck.checks.security.reflect import resolve_reflective  # noqa: E402  (it uses this module)

__all__ = [
    "DYNAMIC_IMPORTERS",
    "FileState",
    "fold_bytes",
    "fold_string",
    "is_constant",
    "is_plain_literal",
    "is_reversal",
    "loop_choices",
    "plugin_internal",
    "resolve",
    "single_value",
    "state",
]
