"""Where a node of the libcst tree is, computed lazily and as cheaply as possible.

libcst's position metadata costs about two parses, and most files of a clean
plugin need no position at all. :class:`Positions` answers ``span(node)`` for
any node of one module, in this order of cost:

- calls and import aliases, ``def``/``class`` names and simple statements
  from CPython's ``ast`` tree (paired with libcst's statements in pre-order;
  any disagreement disables the shortcut for that statement);
- the generated code of the innermost statement holding the node (a
  ``def``/``class`` header without its body when the node is in the header);
- libcst's whole-file positions, once, as the last resort.

The per-file traversal fills :attr:`Positions.tops`, :attr:`Positions.outer`
and :attr:`Positions.expr_nodes` as it walks.
"""

from __future__ import annotations

import ast
import re
from typing import Any

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider
from libcst.metadata.position_provider import PositionProvidingCodegenState

from mbcheck.model import Span

_DEF_TYPES = (cst.FunctionDef, cst.ClassDef)
#: statements whose libcst span is exactly CPython's (checked by the tests)
_SAME_SPAN: frozenset[type[cst.CSTNode]] = frozenset(
    {cst.Return, cst.Assign, cst.AnnAssign, cst.AugAssign, cst.Expr, cst.Import, cst.ImportFrom,
     cst.Raise, cst.Assert, cst.Del, cst.Global, cst.Nonlocal, cst.Pass, cst.Break, cst.Continue}
)
#: the body a ``def``/``class`` header is generated with
_EMPTY_SUITE = cst.SimpleStatementSuite(body=(cst.Pass(),))
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
#: ``def``/``class`` keyword and the name after it (group 2)
_DEF_NAME = re.compile(r"(?:async[ \t]+)?(?:def|class)[ \t]+()(\w+)")


def _chars(line: str, byte_offset: int) -> int:
    """``ast`` columns count UTF-8 bytes; spans count characters."""
    if line.isascii():
        return byte_offset
    return len(line.encode("utf-8")[:byte_offset].decode("utf-8", errors="replace"))


def _flatten(
    body: Any,
    out: list[cst.CSTNode],
    lines_of: dict[int, cst.SimpleStatementLine] | None = None,
    elifs: set[int] | None = None,
) -> None:
    """libcst statements in pre-order, small statements one by one (as ``ast`` has them).

    ``lines_of`` receives, for the first small statement of each line, that
    line; ``elifs`` the identity of each ``elif`` (an ``If`` in an ``orelse``).
    """
    for stmt in body:
        if isinstance(stmt, cst.SimpleStatementLine):
            if lines_of is not None and stmt.body:
                lines_of[id(stmt.body[0])] = stmt
            out.extend(stmt.body)
            continue
        out.append(stmt)
        for block in _blocks(stmt):
            if isinstance(block, _Nested):
                if elifs is not None:
                    elifs.add(id(block.body[0]))
                _flatten(block.body, out, lines_of, elifs)
            elif isinstance(block, cst.SimpleStatementSuite):
                out.extend(block.body)
            elif isinstance(block, cst.IndentedBlock):
                _flatten(block.body, out, lines_of, elifs)


def _blocks(stmt: cst.CSTNode) -> list[Any]:
    blocks: list[Any] = []
    body = getattr(stmt, "body", None)
    if isinstance(body, (cst.IndentedBlock, cst.SimpleStatementSuite)):
        blocks.append(body)
    for handler in getattr(stmt, "handlers", ()):
        blocks.append(handler.body)
    for case in getattr(stmt, "cases", ()):
        blocks.append(case.body)
    orelse = getattr(stmt, "orelse", None)
    if isinstance(orelse, cst.If):
        return [*blocks, _Nested(orelse)]
    if isinstance(orelse, cst.Else):
        blocks.append(orelse.body)
    final = getattr(stmt, "finalbody", None)
    if isinstance(final, cst.Finally):
        blocks.append(final.body)
    return blocks


class _Nested:
    """An ``elif``: a statement of its own in ``ast``'s ``orelse``."""

    def __init__(self, node: cst.If) -> None:
        self.body = [node]


def _ast_preorder(body: list[ast.stmt], out: list[ast.stmt] | None = None) -> list[ast.stmt]:
    """``ast``'s statements in pre-order (into ``out``, one list for the whole tree)."""
    if out is None:
        out = []
    for stmt in body:
        out.append(stmt)
        for field in ("body", "handlers", "cases", "orelse", "finalbody"):
            value = getattr(stmt, field, None)
            if not value:
                continue
            for item in value:
                if isinstance(item, ast.stmt):
                    _ast_preorder([item], out)
                else:  # excepthandler, match_case
                    _ast_preorder(item.body, out)
    return out


_SPAN_SHORTCUT = frozenset({*_DEF_TYPES, cst.Name, *_SAME_SPAN})
#: expressions whose span can come from ``ast`` (see :meth:`FileContext._expr_span`)
EXPR_SHORTCUT: frozenset[type[cst.CSTNode]] = frozenset({cst.Call, cst.ImportAlias})


#: ``ast`` nodes without calls or aliases below them (skipped, not walked)
_AST_LEAVES: frozenset[type[ast.AST]] = frozenset(
    {ast.Name, ast.Constant, ast.Load, ast.Store, ast.Del, ast.Pass, ast.Break, ast.Continue,
     *(cls for base in (ast.operator, ast.unaryop, ast.cmpop, ast.boolop) for cls in base.__subclasses__())}
)


def _collect_exprs(statements: list[ast.stmt], out: list[ast.AST]) -> bool:
    """``ast``'s calls and import aliases under ``statements``; False when a call
    sits inside an f-string (its position is approximate there).

    The children are those of :func:`ast.iter_child_nodes`, in its order, read
    without its generators; nodes that hold no call or alias are not walked."""
    leaves = _AST_LEAVES
    pending: list[tuple[ast.AST, bool]] = [(stmt, False) for stmt in statements]
    while pending:
        node, in_fstring = pending.pop()
        kind = type(node)
        if kind is ast.Call:
            if in_fstring:
                return False
            out.append(node)
        elif kind is ast.alias:
            if node.name != "*":  # type: ignore[attr-defined]  # libcst's ImportStar is no alias
                out.append(node)
        elif kind is ast.JoinedStr:
            in_fstring = True
        for field in node._fields:
            value = getattr(node, field, None)
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST) and type(item) not in leaves:
                        pending.append((item, in_fstring))
            elif isinstance(value, ast.AST) and type(value) not in leaves:
                pending.append((value, in_fstring))
    return True


def _first_line(stmt: cst.CSTNode, other: ast.stmt) -> tuple[int, int]:
    """A statement's first line of code (its first decorator's, if any) from its ``ast``
    twin (for a line of small statements, the first one's), and how many blank or comment
    lines libcst keeps before it."""
    first = other.lineno
    lead = len(getattr(stmt, "leading_lines", ()))
    decorators = getattr(stmt, "decorators", ())
    if decorators:
        first = min([first, *(d.lineno for d in getattr(other, "decorator_list", ()))])
        lead += len(decorators[0].leading_lines)
    return first, lead


def _source_order(node: ast.AST) -> tuple[int, int, int, int]:
    """Where a node starts; of two starting together, the enclosing one first (pre-order)."""
    return (node.lineno, node.col_offset, -(node.end_lineno or 0), -(node.end_col_offset or 0))  # type: ignore[attr-defined]


_FUNC_TYPES: dict[type[cst.CSTNode], type[ast.AST]] = {
    cst.Name: ast.Name, cst.Attribute: ast.Attribute, cst.Call: ast.Call, cst.Subscript: ast.Subscript,
}


def _same_expr(mine: cst.CSTNode, other: ast.AST) -> bool:
    """Whether a libcst call or alias and an ``ast`` one are the same code."""
    if isinstance(mine, cst.Call):
        if not isinstance(other, ast.Call) or len(mine.args) != len(other.args) + len(other.keywords):
            return False
        func, theirs = mine.func, other.func
        expected = _FUNC_TYPES.get(type(func))
        if expected is not None and type(theirs) is not expected:
            return False
        if isinstance(func, cst.Name):
            return isinstance(theirs, ast.Name) and theirs.id == func.value
        if isinstance(func, cst.Attribute):
            return isinstance(theirs, ast.Attribute) and theirs.attr == func.attr.value
        return True
    if isinstance(mine, cst.ImportAlias) and isinstance(other, ast.alias):
        asname = mine.asname.name.value if mine.asname is not None and isinstance(mine.asname.name, cst.Name) else None
        return mine.evaluated_name == other.name and asname == other.asname
    return False


#: annotation expressions whose span is CPython's when not parenthesised (the
#: parentheses are in libcst's span, not in ``ast``'s), with their ``ast`` kind
_ANNOTATION_TWINS: dict[type[cst.CSTNode], type[ast.AST]] = {
    cst.BinaryOperation: ast.BinOp, cst.Subscript: ast.Subscript, cst.Name: ast.Name, cst.Attribute: ast.Attribute,
}


def _annotations(node: cst.FunctionDef, other: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[int, ast.expr] | None:
    """id(annotation expression) -> its ``ast`` twin, for the parameters and the return of
    one ``def`` (paired by position; None when the two disagree)."""
    params = node.params
    star = params.star_arg if isinstance(params.star_arg, cst.Param) else None
    ours = [*params.posonly_params, *params.params, star, *params.kwonly_params, params.star_kwarg]
    args = other.args
    theirs = [*args.posonlyargs, *args.args, args.vararg, *args.kwonlyargs, args.kwarg]
    if len(ours) != len(theirs):
        return None
    out: dict[int, ast.expr] = {}
    pairs: list[tuple[cst.Annotation | None, ast.expr | None]] = [
        (mine.annotation if mine is not None else None, theirs_arg.annotation if theirs_arg is not None else None)
        for mine, theirs_arg in zip(ours, theirs, strict=True)
    ]
    pairs.append((node.returns, other.returns))
    for mine_annotation, twin in pairs:
        if (mine_annotation is None) != (twin is None):
            return None
        if mine_annotation is None or twin is None:
            continue
        expr = mine_annotation.annotation
        expected = _ANNOTATION_TWINS.get(type(expr))
        if expected is None or getattr(expr, "lpar", True) or type(twin) is not expected:
            continue
        if type(expr) is cst.Name and expr.value != twin.id:  # type: ignore[attr-defined]
            return None
        out[id(expr)] = twin
    return out


class _Shim:
    """Stands in for a metadata provider: the codegen state records into ``_computed``."""

    def __init__(self) -> None:
        self._computed: dict[cst.CSTNode, CodeRange] = {}


class Positions:
    """Spans of the nodes of one module (see the module docstring)."""

    def __init__(self, module: cst.Module, path: str, tree: ast.Module | None = None, text: str | None = None) -> None:
        self.module = module
        self.path = path
        self._tree = tree
        self._text = text
        self._defs: dict[cst.CSTNode, Span] | None = None
        #: id(node) -> its innermost statement, the unit whose code is generated
        #: when one of its nodes needs a position; id(statement) -> the
        #: top-level statement holding it (both filled by the traversal, keyed
        #: by identity: the tree outlives the analysis)
        self.tops: dict[int, cst.CSTNode] = {}
        self.outer: dict[int, cst.CSTNode] = {}
        #: id(top-level statement) -> its calls and import aliases in pre-order
        #: (filled by the traversal); their spans, paired with ast's
        self.expr_nodes: dict[int, list[cst.CSTNode]] = {}
        self._positions: dict[cst.CSTNode, CodeRange] = {}
        self._done_tops: set[int] = set()
        self._starts: dict[cst.CSTNode, int] | None = None
        self._units: dict[int, tuple[int, str, bool, int]] | None = None
        self._text_lines: list[str] | None = None
        self._headers_done: set[int] = set()
        self._expr_spans: dict[int, Span] = {}
        self._expr_done: set[int] = set()
        self._top_ast: dict[int, list[ast.stmt]] | None = None
        self._pairs: tuple[list[cst.CSTNode], list[ast.stmt], dict[int, cst.SimpleStatementLine], set[int]] | None = None
        self._pairs_done = False
        #: statement -> its ``ast`` twin (validated; its span is made when asked)
        self._same: dict[cst.CSTNode, ast.stmt] = {}
        #: id(def) -> its annotations' ``ast`` twins (see :func:`_annotations`)
        self._annotations: dict[int, dict[int, ast.expr] | None] = {}
        self._whole_file = False
        #: how many spans came straight from the ``ast`` tree (no code generated)
        self.from_ast = 0

    @property
    def text(self) -> str | None:
        """The module's source text, when the analysis was given it."""
        return self._text

    @property
    def used_whole_file(self) -> bool:
        """Whether some node needed libcst's whole-file positions (the costly fallback)."""
        return self._whole_file

    def _start_lines(self) -> dict[cst.CSTNode, int]:
        """The first line (leading blank/comment lines included) of each top-level statement.

        Taken from the ``ast`` tree when CPython parsed the file (free), else by
        generating the code of each statement once.
        """
        if self._starts is not None:
            return self._starts
        starts: dict[cst.CSTNode, int] = {}
        body = list(self.module.body)
        pairs = self._tops_to_ast()
        if pairs:
            for stmt in body:
                first, lead = _first_line(stmt, pairs[id(stmt)][0])
                starts[stmt] = first - lead
        if not starts and body:
            line = 1 + len(self.module.header)
            for stmt in body:
                starts[stmt] = line
                line += self.module.code_for_node(stmt).count("\n")
        self._starts = starts
        return starts

    def _lines(self) -> list[str]:
        """The source's lines as ``ast`` numbers them (only ``\\n``, ``\\r\\n`` and ``\\r`` end one;
        ``str.splitlines`` would also split at form feeds and other separators)."""
        if self._text_lines is None:
            self._text_lines = _LINE_BREAK.split(self._text or "")
        return self._text_lines

    def _paired(self) -> tuple[list[cst.CSTNode], list[ast.stmt], dict[int, cst.SimpleStatementLine], set[int]] | None:
        """libcst's statements and ``ast``'s in pre-order (see :func:`_flatten`), with the
        lines of small statements and the ``elif``s; None without a tree or when the two
        disagree on the number of statements. Computed once per file."""
        if self._pairs_done:
            return self._pairs
        self._pairs_done = True
        if self._tree is None or self._text is None:
            return None
        ours: list[cst.CSTNode] = []
        lines_of: dict[int, cst.SimpleStatementLine] = {}
        elifs: set[int] = set()
        _flatten(self.module.body, ours, lines_of, elifs)
        theirs = _ast_preorder(self._tree.body)
        if len(ours) == len(theirs):
            self._pairs = (ours, theirs, lines_of, elifs)
        return self._pairs

    def _unit_starts(self) -> dict[int, tuple[int, str, bool, int]]:
        """Where each statement's code starts: first line (leading blank and
        comment lines included), indentation, whether it is an ``elif``, and
        the line of the statement itself (its keyword, after any decorators).

        Read from the ``ast`` tree, whose statements pair one to one with
        libcst's in pre-order (a simple statement line with its first small
        statement); empty when there is no tree or the pairing disagrees.
        """
        if self._units is not None:
            return self._units
        self._units = {}
        paired = self._paired()
        if paired is None:
            return self._units
        ours, theirs, lines_of, elifs = paired
        lines = self._lines()
        units: dict[int, tuple[int, str, bool, int]] = {}
        for mine, other in zip(ours, theirs, strict=True):
            line_node = lines_of.get(id(mine))
            unit: cst.CSTNode
            if line_node is not None:
                unit = line_node
            elif isinstance(mine, cst.BaseCompoundStatement):
                unit = mine
            else:
                continue
            first, lead = _first_line(unit, other)
            if first > len(lines):
                return self._units
            code_line = lines[first - 1]
            indent = code_line[: len(code_line) - len(code_line.lstrip(" \t"))]
            units[id(unit)] = (first - lead, indent, id(unit) in elifs, other.lineno)
        self._units = units
        return units

    def _codegen_unit(self, unit: cst.CSTNode, start: int, indent: str, is_elif: bool = False) -> None:
        provider = _Shim()
        state = PositionProvidingCodegenState(
            default_indent=self.module.default_indent,
            default_newline=self.module.default_newline,
            provider=provider,  # type: ignore[arg-type]
            line=start,
        )
        state.indent_tokens = [indent] if indent else []
        if is_elif:
            unit._codegen(state, is_elif=True)
        else:
            unit._codegen(state)
        self._positions.update(provider._computed)
        self._done_tops.add(id(unit))

    def _resolve_header(self, unit: cst.CSTNode) -> bool:
        """Positions of a ``def``/``class`` header's nodes (decorators, name,
        parameters, bases, annotations) without generating its body: the
        header's code is generated with the body replaced (the header's nodes
        are the same objects, so their positions are theirs). Once per unit."""
        if id(unit) in self._headers_done:
            return False
        self._headers_done.add(id(unit))
        found = self._unit_starts().get(id(unit))
        if found is None or not isinstance(unit, _DEF_TYPES):
            return False
        start, indent, _, _ = found
        header = unit.with_changes(body=_EMPTY_SUITE)
        self._codegen_unit(header, start, indent)
        self._done_tops.discard(id(header))
        return True

    def _resolve_top(self, unit: cst.CSTNode) -> bool:
        """Positions of every node of one unit: the innermost statement holding
        the node asked about (only its code is generated), else the top-level
        statement holding that."""
        found = self._unit_starts().get(id(unit))
        if found is not None:
            start, indent, is_elif, _ = found
            self._codegen_unit(unit, start, indent, is_elif)
            return True
        top = self.outer.get(id(unit), unit)
        if id(top) in self._done_tops:
            return False
        start_line = self._start_lines().get(top)
        if start_line is None:
            return False
        self._codegen_unit(top, start_line, "")
        return True

    def _range(self, node: cst.CSTNode) -> CodeRange | None:
        found = self._positions.get(node)
        if found is not None:
            return found
        top = self.tops.get(id(node), node)
        if type(top) in _DEF_TYPES and id(top) not in self._done_tops and self._resolve_header(top):
            found = self._positions.get(node)
            if found is not None:
                return found
        if id(top) not in self._done_tops and self._resolve_top(top):
            found = self._positions.get(node)
            if found is not None:
                return found
        if not self._whole_file:
            # a node outside any statement (or a tree the traversal did not
            # see): libcst's whole-file positions, once
            self._whole_file = True
            wrapper = MetadataWrapper(self.module, unsafe_skip_copy=True)
            for key, value in wrapper.resolve(PositionProvider).items():
                self._positions.setdefault(key, value)
        return self._positions.get(node)

    def _def_spans(self) -> dict[cst.CSTNode, Span]:
        """Spans of every ``def``/``class`` name, from the ``ast`` tree; the statements whose
        span is CPython's (``def``/``class`` and :data:`_SAME_SPAN`) go to :attr:`_same`, their
        spans made when asked (:meth:`_stmt_span`).

        Interface rules ask for many of these; CPython's tree has them for free
        where libcst would generate the code of the whole class. Statements are
        paired in pre-order (both trees hold the same statements in the same
        order); any disagreement disables the shortcut for the whole file.
        """
        if self._defs is not None:
            return self._defs
        self._defs = {}
        paired = self._paired()
        if paired is None:
            return self._defs
        ours, theirs, _, _ = paired
        lines = self._lines()
        count = len(lines)
        out: dict[cst.CSTNode, Span] = {}
        same: dict[cst.CSTNode, ast.stmt] = {}
        for mine, other in zip(ours, theirs, strict=True):
            if other.end_lineno is None or other.end_col_offset is None or other.end_lineno > count:
                return self._defs
            kind = type(mine)
            if kind is cst.FunctionDef or kind is cst.ClassDef:
                name = mine.name.value  # type: ignore[attr-defined]
                if not isinstance(other, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) or other.name != name:
                    return self._defs
                first = lines[other.lineno - 1]
                match = _DEF_NAME.match(first, _chars(first, other.col_offset))
                if match is None or match.group(2) != name:
                    return self._defs
                out[mine.name] = Span(self.path, other.lineno, match.start(2) + 1, other.lineno, match.end(2) + 1)  # type: ignore[attr-defined]
            elif kind not in _SAME_SPAN:
                continue
            same[mine] = other
        self._defs = out
        self._same = same
        return out

    def _stmt_span(self, node: cst.CSTNode) -> Span | None:
        """A statement's span from its ``ast`` twin (see :meth:`_def_spans`)."""
        defs = self._def_spans()
        found = defs.get(node)
        if found is not None:
            return found
        other = self._same.get(node)
        if other is None:
            if type(node) is cst.Name:
                return self._returned_name(node)
            return None
        lines = self._lines()
        end_line = other.end_lineno or 0
        span = Span(
            self.path, other.lineno, _chars(lines[other.lineno - 1], other.col_offset) + 1,
            end_line, _chars(lines[end_line - 1], other.end_col_offset or 0) + 1,
        )
        defs[node] = span
        return span

    def _returned_name(self, node: cst.Name) -> Span | None:
        """An unparenthesised name a ``return`` gives back, from the ``ast`` tree: without
        parentheses, libcst's span of a name is the identifier, as CPython's is."""
        if node.lpar:
            return None
        line = self.tops.get(id(node))
        if type(line) is not cst.SimpleStatementLine:
            return None
        for small in line.body:
            if type(small) is cst.Return and small.value is node:
                other = self._same.get(small)
                value = getattr(other, "value", None)
                if type(value) is not ast.Name or value.id != node.value or value.end_col_offset is None:
                    return None
                text = self._lines()[value.lineno - 1]
                return Span(
                    self.path, value.lineno, _chars(text, value.col_offset) + 1,
                    value.lineno, _chars(text, value.end_col_offset) + 1,
                )
        return None

    def _annotation_span(self, node: cst.CSTNode) -> Span | None:
        """An unparenthesised parameter or return annotation's span from the ``ast`` tree
        (generating a ``def`` header's code is what it would cost otherwise)."""
        unit = self.tops.get(id(node))
        if type(unit) is not cst.FunctionDef:
            return None
        key = id(unit)
        if key not in self._annotations:
            self._def_spans()
            other = self._same.get(unit)
            twins = None
            if isinstance(other, (ast.FunctionDef, ast.AsyncFunctionDef)):
                twins = _annotations(unit, other)
            self._annotations[key] = twins
        found = self._annotations[key]
        twin = found.get(id(node)) if found is not None else None
        if twin is None or twin.end_lineno is None or twin.end_col_offset is None:
            return None
        lines = self._lines()
        return Span(
            self.path, twin.lineno, _chars(lines[twin.lineno - 1], twin.col_offset) + 1,
            twin.end_lineno, _chars(lines[twin.end_lineno - 1], twin.end_col_offset) + 1,
        )

    def _tops_to_ast(self) -> dict[int, list[ast.stmt]]:
        """Each top-level statement's ``ast`` statements (several for ``a(); b()``)."""
        if self._top_ast is not None:
            return self._top_ast
        self._top_ast = {}
        if self._tree is None:
            return self._top_ast
        nodes = self._tree.body
        index = 0
        pairs: dict[int, list[ast.stmt]] = {}
        for stmt in self.module.body:
            count = len(stmt.body) if isinstance(stmt, cst.SimpleStatementLine) else 1
            pairs[id(stmt)] = nodes[index:index + count]
            index += count
        if index == len(nodes):
            self._top_ast = pairs
        return self._top_ast

    def _expr_span(self, node: cst.CSTNode) -> Span | None:
        """A call's or import alias's span from the ``ast`` tree, where CPython's
        node covers exactly what libcst's does.

        The calls (and aliases) of one top-level statement are paired in source
        order with ``ast``'s; each pair must agree on what is called (or
        imported) and on the number of arguments, or the statement keeps
        libcst's positions. Statements with calls inside f-strings are left to
        libcst too (``ast`` places those approximately before Python 3.12).
        """
        quick = self._expr_spans.get(id(node))
        if quick is not None:
            return quick
        unit = self.tops.get(id(node))
        if unit is None or self._text is None:
            return None
        top = self.outer.get(id(unit), unit)
        if id(top) in self._expr_done:
            return None
        self._expr_done.add(id(top))
        ours = self.expr_nodes.get(id(top))
        theirs_stmts = self._tops_to_ast().get(id(top))
        if not ours or not theirs_stmts:
            return None
        theirs: list[ast.AST] = []
        if not _collect_exprs(theirs_stmts, theirs):
            return None
        if len(theirs) != len(ours):
            return None
        theirs.sort(key=_source_order)
        lines = self._lines()
        found: dict[int, Span] = {}
        for mine, other in zip(ours, theirs, strict=True):
            if not _same_expr(mine, other):
                return None
            end_line, end_col = other.end_lineno, other.end_col_offset  # type: ignore[attr-defined]
            if end_line is None or end_col is None or end_line > len(lines):
                return None
            line = other.lineno  # type: ignore[attr-defined]
            found[id(mine)] = Span(
                self.path, line, _chars(lines[line - 1], other.col_offset) + 1,  # type: ignore[attr-defined]
                end_line, _chars(lines[end_line - 1], end_col) + 1,
            )
        self._expr_spans.update(found)
        return found.get(id(node))

    def span(self, node: cst.CSTNode) -> Span:
        """Where ``node`` is (an empty span at the file when it cannot be placed)."""
        if type(node) in EXPR_SHORTCUT:
            quick = self._expr_span(node)
            if quick is not None:
                self.from_ast += 1
                return quick
        if type(node) in _SPAN_SHORTCUT:
            quick = self._stmt_span(node)
            if quick is not None:
                self.from_ast += 1
                return quick
        if type(node) in _ANNOTATION_TWINS:
            quick = self._annotation_span(node)
            if quick is not None:
                self.from_ast += 1
                return quick
        found = self._range(node)
        if found is None:
            return Span(self.path)
        return Span(
            self.path,
            found.start.line,
            found.start.column + 1,
            found.end.line,
            found.end.column + 1,
        )

    def line(self, node: cst.CSTNode) -> int:
        """The first line of ``node``; a statement's from the ``ast`` tree (no code generated)."""
        found = self._unit_starts().get(id(node))
        if found is not None:
            return found[3]
        return self.span(node).line


__all__ = ["Positions"]
