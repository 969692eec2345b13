"""Syntax features for the compatibility collector: the forms newer than the oldest Python.

:class:`SyntaxFeatures` visits the syntax forms ``rules/compat/syntax.json``
dates (``match``, ``type`` aliases and parameters, ``except*``, the walrus,
positional-only parameters, relaxed decorators, parenthesized context
managers, f-string forms, async comprehensions, ...) and passes each one,
by its feature id, to :meth:`SyntaxFeatures._syntax`, which the collector
records. Syntax is never guarded: a file that does not parse fails before
any check runs.
"""

from __future__ import annotations

import libcst as cst

from mbcheck.pyfile.traverse import Collector, FileContext, child_nodes

_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)
_MAX_ARGUMENTS = 255


def _has_star(node: cst.BaseExpression) -> bool:
    return type(node) is cst.Tuple and any(type(e) is cst.StarredElement for e in node.elements)


def _bare_tuple(node: cst.BaseExpression | None) -> bool:
    return type(node) is cst.Tuple and not node.lpar


def _dotted_chain(node: cst.BaseExpression) -> bool:
    """``a.b.c`` without parentheses: the only decorator form before 3.9."""
    while type(node) is cst.Attribute:
        if node.lpar:
            return False
        node = node.value
    return type(node) is cst.Name and not node.lpar


class _Frame:
    """A comprehension being visited (for async comprehensions nested in sync ones)."""

    __slots__ = ("awaits", "inner_async", "node")

    def __init__(self, node: cst.CSTNode) -> None:
        self.node = node
        self.awaits: list[cst.Await] = []
        self.inner_async: list[cst.CSTNode] = []


def _awaits_in(node: cst.CSTNode) -> set[int]:
    found: set[int] = set()
    pending: list[cst.CSTNode] = [node]
    while pending:
        current = pending.pop()
        if type(current) is cst.Await:
            found.add(id(current))
        if isinstance(current, (*_COMPREHENSIONS, cst.Lambda)):
            continue
        pending.extend(child_nodes(current))
    return found


class SyntaxFeatures(Collector):
    """Finds the dated syntax forms of one module (see :meth:`_syntax`).

    A part of the collector; its visits of nodes the guard tracking also
    visits (``with``, ``try``/``except*``) pass them on with ``super()``.
    """

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        #: per enclosing function or lambda: whether it is ``async``
        self._functions: list[bool] = []
        #: enclosing blocks that decide where ``continue`` is allowed
        self._blocks: list[str] = []
        #: enclosing comprehensions (None for a function or lambda scope)
        self._frames: list[_Frame | None] = []
        self._fstring_expressions = 0

    def _syntax(self, node: cst.CSTNode, fid: str, width: int = 0) -> None:
        """``node`` uses the syntax feature ``fid``; a node spanning lines is placed
        at its first ``width`` characters when ``width`` is given (its keyword)."""
        raise NotImplementedError

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._functions.append(node.asynchronous is not None)
        self._blocks.append("scope")
        self._frames.append(None)
        if node.type_parameters is not None:
            self._syntax(node.type_parameters, "type_parameters")

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._functions.pop()
        self._blocks.pop()
        self._frames.pop()

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self._functions.append(False)
        self._blocks.append("scope")
        self._frames.append(None)

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        self._functions.pop()
        self._blocks.pop()
        self._frames.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._blocks.append("scope")
        if node.type_parameters is not None:
            self._syntax(node.type_parameters, "type_parameters")

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._blocks.pop()

    def visit_Parameters(self, node: cst.Parameters) -> None:
        if node.posonly_params or type(node.posonly_ind) is cst.ParamSlash:
            target = node.posonly_ind if type(node.posonly_ind) is cst.ParamSlash else node
            self._syntax(target, "positional_only_params")
        star = node.star_arg
        if (
            type(star) is cst.Param
            and star.annotation is not None
            and type(star.annotation.annotation) is cst.StarredElement
        ):
            self._syntax(star.annotation, "starred_varargs_annotation")
        count = len(node.posonly_params) + len(node.params) + len(node.kwonly_params)
        count += sum(type(p) is cst.Param for p in (node.star_arg, node.star_kwarg))
        if count > _MAX_ARGUMENTS:
            self._syntax(node, "more_than_255_arguments", width=1)

    def visit_TypeParam(self, node: cst.TypeParam) -> None:
        if node.default is not None:
            self._syntax(node, "type_param_defaults")

    def visit_TypeAlias(self, node: cst.TypeAlias) -> None:
        self._syntax(node, "type_alias_statement", width=4)

    def visit_Match(self, node: cst.Match) -> None:
        self._syntax(node, "match_statement", width=5)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.type is not None and _bare_tuple(node.type):
            self._syntax(node.type, "except_without_parens")

    def visit_ExceptStarHandler(self, node: cst.ExceptStarHandler) -> None:
        if _bare_tuple(node.type):
            self._syntax(node.type, "except_without_parens")

    def visit_With(self, node: cst.With) -> None:
        if type(node.lpar) is cst.LeftParen and (
            len(node.items) > 1
            or any(item.asname is not None for item in node.items)
            or type(node.items[-1].comma) is cst.Comma
        ):
            self._syntax(node, "parenthesized_context_managers", width=4)
        super().visit_With(node)

    def visit_TryStar(self, node: cst.TryStar) -> None:
        handler = node.handlers[0] if node.handlers else node
        self._syntax(handler, "except_star", width=7)
        super().visit_TryStar(node)

    def visit_Decorator(self, node: cst.Decorator) -> None:
        expr = node.decorator
        if type(expr) is cst.Call and not expr.lpar:
            expr = expr.func
        if not _dotted_chain(expr):
            self._syntax(node, "relaxed_decorators")

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._syntax(node, "walrus")

    def visit_Set(self, node: cst.Set) -> None:
        for element in node.elements:
            if type(element.value) is cst.NamedExpr and not element.value.lpar:
                self._syntax(element.value, "walrus_in_set")

    def visit_SetComp(self, node: cst.SetComp) -> None:
        if type(node.elt) is cst.NamedExpr and not node.elt.lpar:
            self._syntax(node.elt, "walrus_in_set")
        self._push_frame(node)

    def leave_SetComp(self, original_node: cst.SetComp) -> None:
        self._pop_frame(original_node)

    def visit_SubscriptElement(self, node: cst.SubscriptElement) -> None:
        index = node.slice
        if type(index) is cst.Index:
            if index.star is not None:
                self._syntax(node, "starred_subscript")
            if type(index.value) is cst.NamedExpr and not index.value.lpar:
                self._syntax(index.value, "walrus_in_set_and_index")

    def visit_For(self, node: cst.For) -> None:
        self._blocks.append("loop")
        if _bare_tuple(node.iter) and _has_star(node.iter):
            self._syntax(node.iter, "starred_for_iterable")

    def leave_For(self, original_node: cst.For) -> None:
        self._blocks.pop()

    def visit_While(self, node: cst.While) -> None:
        self._blocks.append("loop")

    def leave_While(self, original_node: cst.While) -> None:
        self._blocks.pop()

    def visit_Finally(self, node: cst.Finally) -> None:
        self._blocks.append("finally")

    def leave_Finally(self, original_node: cst.Finally) -> None:
        self._blocks.pop()

    def visit_Continue(self, node: cst.Continue) -> None:
        for block in reversed(self._blocks):
            if block == "finally":
                self._syntax(node, "continue_in_finally")
            if block in ("finally", "loop", "scope"):
                return

    def visit_Return(self, node: cst.Return) -> None:
        if node.value is not None and _bare_tuple(node.value) and _has_star(node.value):
            self._syntax(node.value, "generalized_unpacking_return")

    def visit_Yield(self, node: cst.Yield) -> None:
        if self._functions and self._functions[-1]:
            self._syntax(node, "async_generator")
        value = node.value
        if isinstance(value, cst.BaseExpression) and _bare_tuple(value) and _has_star(value):
            self._syntax(value, "generalized_unpacking_return")

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._syntax(node, "variable_annotation")

    def _number(self, node: cst.Integer | cst.Float | cst.Imaginary) -> None:
        if "_" in node.value:
            self._syntax(node, "underscore_numeric_literal")

    def visit_Integer(self, node: cst.Integer) -> None:
        self._number(node)

    def visit_Float(self, node: cst.Float) -> None:
        self._number(node)

    def visit_Imaginary(self, node: cst.Imaginary) -> None:
        self._number(node)

    def visit_Call(self, node: cst.Call) -> None:
        if len(node.args) > _MAX_ARGUMENTS:
            self._syntax(node, "more_than_255_arguments", width=1)

    # -- f-strings and t-strings ------------------------------------------------
    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        self._syntax(node, "fstring")
        quote = node.end
        for part in node.parts:
            if type(part) is cst.FormattedStringExpression:
                self._fstring_part(part, quote)

    def _fstring_part(self, part: cst.FormattedStringExpression, quote: str, nested: bool = False) -> None:
        code = self.ctx.module.code_for_node
        if part.equal is not None:
            self._syntax(part, "fstring_self_documenting")
        whole = code(part)  # generated once: the expression's own code only when a backslash may be in it
        if "\\" in whole and "\\" in code(part.expression):
            self._syntax(part, "fstring_backslash_expr")
        if not nested:
            if quote in whole:
                self._syntax(part, "fstring_nested_quotes")
            if len(quote) == 1 and "\n" in whole:
                self._syntax(part, "fstring_multiline_expr", width=1)
        for spec in part.format_spec or ():
            if type(spec) is cst.FormattedStringExpression:
                self._fstring_part(spec, quote, nested=True)

    def visit_FormattedStringExpression(self, node: cst.FormattedStringExpression) -> None:
        self._fstring_expressions += 1

    def leave_FormattedStringExpression(self, original_node: cst.FormattedStringExpression) -> None:
        self._fstring_expressions -= 1

    #: comments matter only inside an f-string's replacement fields (see :meth:`visit_Comment`)
    trivia_within = frozenset({cst.FormattedStringExpression})

    def visit_Comment(self, node: cst.Comment) -> None:
        if self._fstring_expressions:
            self._syntax(node, "fstring_comment")

    def visit_TemplatedString(self, node: cst.TemplatedString) -> None:
        self._syntax(node, "template_string")

    # -- comprehensions ----------------------------------------------------------
    def _push_frame(self, node: cst.CSTNode) -> None:
        self._frames.append(_Frame(node))

    def _pop_frame(self, node: cst.BaseComp | cst.BaseSimpleComp | cst.DictComp) -> None:
        frame = self._frames.pop()
        if frame is None or frame.node is not node:  # pragma: no cover - defensive
            return
        parent = self._frames[-1] if self._frames else None
        own = frame.awaits
        if own:
            # the first iterable is evaluated in the enclosing scope
            outer = _awaits_in(node.for_in.iter)
            own = [a for a in frame.awaits if id(a) not in outer]
            if parent is not None:
                parent.awaits.extend(a for a in frame.awaits if id(a) in outer)
        is_async = bool(own)
        clause: cst.CompFor | None = node.for_in
        while clause is not None:
            is_async = is_async or clause.asynchronous is not None
            clause = clause.inner_for_in
        if not is_async and frame.inner_async:
            for inner in frame.inner_async:
                self._syntax(inner, "async_comprehension_nested")
        if is_async and type(node) is not cst.GeneratorExp and parent is not None:
            parent.inner_async.append(node)

    def visit_ListComp(self, node: cst.ListComp) -> None:
        self._push_frame(node)

    def leave_ListComp(self, original_node: cst.ListComp) -> None:
        self._pop_frame(original_node)

    def visit_DictComp(self, node: cst.DictComp) -> None:
        self._push_frame(node)

    def leave_DictComp(self, original_node: cst.DictComp) -> None:
        self._pop_frame(original_node)

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> None:
        self._push_frame(node)

    def leave_GeneratorExp(self, original_node: cst.GeneratorExp) -> None:
        self._pop_frame(original_node)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        if node.asynchronous is not None:
            self._syntax(node, "async_comprehension")

    def visit_Await(self, node: cst.Await) -> None:
        if self._frames and self._frames[-1] is not None:
            self._frames[-1].awaits.append(node)
            self._syntax(node, "async_comprehension")



__all__ = ["SyntaxFeatures"]
