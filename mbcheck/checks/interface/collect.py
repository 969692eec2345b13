"""The ``interface`` collector: what each module offers the host's loader.

One module-level pass records, per module, the facts the interface and config
rules (:mod:`mbcheck.checks.interface.facts`; read by the interface and
config rules) need: module-level classes (bases by qualified name, every method with its
async-ness, parameters, decorators and span), module-level functions,
instances (``plugin = MyPlugin()``), names and star imports, and what the
functions the host calls return — literal values (with holes where a part is
not literal, and a span for every part) for the methods whose values the rules
compare with the manifest.

Positions cost about two parses of the file, so they are resolved only for a
module that may be reported on: one that defines the entry point or a bottle
function, or a class with an interface-named method or a base from the plugin
or the host. Elsewhere facts carry no spans.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import libcst as cst

from mbcheck.checks.interface.collect_literals import LITERALS, LiteralBuilder, Resolver
from mbcheck.checks.interface.contract import (
    ENTRY_POINT,
    LITERAL_RETURNS,
    OVERLOAD_DECORATORS,
    TRACKED_FUNCTIONS,
    known_interface_methods,
)
from mbcheck.checks.interface.facts import (
    ClassFact,
    FunctionFact,
    InstanceFact,
    InterfaceFacts,
    LiteralFact,
    Param,
    ParamKind,
    ReturnFact,
    ReturnKind,
    ValueFact,
)
from mbcheck.model import Span
from mbcheck.pyfile.names import dotted
from mbcheck.pyfile.traverse import Collector, FileContext, collector

_CASTS = frozenset({"typing.cast", "typing_extensions.cast"})
#: methods that change a container in place (a "constant" they are called on is not one)
_MUTATORS = frozenset(
    {"update", "setdefault", "pop", "popitem", "clear", "append", "extend", "insert", "remove", "sort", "reverse",
     "add", "discard", "__setitem__"}
)


@dataclass
class _Raw:
    """A return value as classified during the traversal (names resolved in scope)."""

    kind: ReturnKind
    node: cst.CSTNode
    target: str | None = None
    name: str = ""
    expr: cst.BaseExpression | None = None
    #: a function-local name to resolve after the traversal
    local: str | None = None


@dataclass
class _Function:
    node: cst.FunctionDef | cst.Lambda
    name: str
    track_literals: bool
    name_node: cst.CSTNode
    raws: list[_Raw] = field(default_factory=list)
    #: local name -> every value assigned to it, with the callee's name for calls
    locals: dict[str, list[tuple[cst.BaseExpression, str | None]]] = field(default_factory=dict)
    params: tuple[Param, ...] = ()
    decorators: tuple[str, ...] = ()
    is_async: bool = False
    is_generator: bool = False
    returns_value: bool = False
    annotation: str | None = None


@dataclass
class _Class:
    node: cst.ClassDef
    bases: tuple[tuple[str, ...], ...]
    methods: list[_Function] = field(default_factory=list)
    attributes: list[str] = field(default_factory=list)


def _params(params: cst.Parameters) -> tuple[Param, ...]:
    out: list[Param] = []
    for param in params.posonly_params:
        out.append(Param(param.name.value, ParamKind.POSITIONAL_ONLY, param.default is not None))
    for param in params.params:
        out.append(Param(param.name.value, ParamKind.POSITIONAL, param.default is not None))
    if type(params.star_arg) is cst.Param:
        out.append(Param(params.star_arg.name.value, ParamKind.VAR_POSITIONAL, False))
    for param in params.kwonly_params:
        out.append(Param(param.name.value, ParamKind.KEYWORD_ONLY, param.default is not None))
    if params.star_kwarg is not None:
        out.append(Param(params.star_kwarg.name.value, ParamKind.VAR_KEYWORD, False))
    return tuple(out)


def _base_name(node: cst.BaseExpression) -> cst.BaseExpression:
    while isinstance(node, cst.Attribute | cst.Subscript):
        node = node.value
    return node


@collector
class InterfaceCollector(Collector):
    """Classes, functions, instances and names of one module (see the module docstring)."""

    key = "interface"

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        #: the interface methods of the run's host profile (a class defining one is worth positions)
        methods = ctx.options.interface_methods
        self.methods = methods if methods is not None else known_interface_methods()
        #: open classes and functions, innermost last (None: one not recorded)
        self.frames: list[_Class | _Function | None] = []
        self.classes: list[_Class] = []
        self.functions: list[_Function] = []
        self.instances: list[tuple[str, str | None, cst.CSTNode]] = []
        self.values: list[tuple[str, ReturnKind, str | None, cst.CSTNode]] = []
        #: every qualified name a module-level name was bound to, in order
        self.history: dict[str, list[str]] = {}
        self.stars: list[str] = []
        #: module-level name -> values assigned to it
        self.constants: dict[str, list[cst.BaseExpression]] = {}
        #: names changed in place somewhere (``X["k"] = v``, ``X.update(...)``)
        self.mutated: set[str] = set()
        #: whether positions are worth resolving for this module
        self.interesting = False

    # -- helpers -------------------------------------------------------------
    def _frame(self) -> _Class | _Function | None:
        return self.frames[-1] if self.frames else None

    def _remember(self, name: str) -> None:
        bound = self.ctx.names.scopes[0].bindings.get(name)
        if bound is not None:
            seen = self.history.setdefault(name, [])
            if bound not in seen:
                seen.append(bound)

    def _candidates(self, node: cst.BaseExpression) -> tuple[str, ...]:
        if type(node) is cst.Name:
            out = [q for q in (self.ctx.names.lookup(node.value), *self.history.get(node.value, ())) if q]
            return tuple(dict.fromkeys(out)) or (f"?{node.value}",)
        if type(node) is cst.Attribute:
            inner = [c for c in self._candidates(node.value) if not c.startswith("?")]
            if inner:
                return tuple(f"{c}.{node.attr.value}" for c in inner)
        return (f"?{dotted(node) or ''}",)

    def _qualified(self, node: cst.BaseExpression) -> str:
        found = self.ctx.qualified_name(node)
        return found if found is not None else f"?{dotted(node) or ''}"

    def _mutate(self, node: cst.BaseExpression) -> None:
        base = _base_name(node)
        if type(base) is cst.Name:
            self.mutated.add(base.value)

    def _first_party(self, name: str) -> bool:
        package = self.ctx.package
        return name.startswith("?") or name == package or name.startswith(package + ".") or name.endswith(
            ".PluginInterface"
        )

    def _function(self, node: cst.FunctionDef, owner: _Class | None) -> _Function:
        decorators = tuple(
            self._qualified(d.decorator.func if type(d.decorator) is cst.Call else d.decorator)
            for d in node.decorators
        )
        annotation = None
        if node.returns is not None:
            annotation = self._qualified(_subscript_base(node.returns.annotation))
        name = node.name.value
        return _Function(
            node=node,
            name=name,
            track_literals=name in LITERAL_RETURNS or (owner is None and name == ENTRY_POINT),
            name_node=node.name,
            params=_params(node.params),
            decorators=decorators,
            is_async=node.asynchronous is not None,
            annotation=annotation,
        )

    def _classify(self, expr: cst.BaseExpression, in_function: bool, out: list[_Raw]) -> None:
        """What a returned (or assigned) expression is, resolved in the current scope."""
        if type(expr) is cst.IfExp:
            self._classify(expr.body, in_function, out)
            self._classify(expr.orelse, in_function, out)
            return
        if type(expr) is cst.Name and expr.value == "None":
            out.append(_Raw(ReturnKind.NONE, expr, expr=expr))
            return
        if type(expr) is cst.Call:
            callee = self.ctx.qualified_name(expr.func)
            if callee in _CASTS and len(expr.args) >= 2:
                self._classify(expr.args[1].value, in_function, out)
                return
            out.append(_Raw(ReturnKind.CALL, expr, callee, dotted(expr.func) or "", expr))
            return
        if type(expr) is cst.Name and expr.value not in ("True", "False"):
            name = expr.value
            if in_function and name in self.ctx.names.scopes[-1].bindings:
                frame = self._frame()
                bound = self.ctx.names.scopes[-1].bindings[name]
                if bound is not None and isinstance(frame, _Function) and name not in frame.locals:
                    # bound only by an import in the function (``from .cli import app``)
                    out.append(_Raw(ReturnKind.NAME, expr, bound, name, expr))
                    return
                out.append(_Raw(ReturnKind.NAME, expr, None, name, expr, local=name))
                return
            module = self.ctx.names.scopes[0].bindings
            if name in module:
                bound = module[name]
                out.append(_Raw(ReturnKind.NAME, expr, bound or f"{self.ctx.module_name}.{name}", name, expr))
                return
            out.append(_Raw(ReturnKind.OTHER, expr, None, name, expr))
            return
        if type(expr) is cst.Attribute:
            target = self.ctx.qualified_name(expr)
            kind = ReturnKind.NAME if target is not None else ReturnKind.OTHER
            out.append(_Raw(kind, expr, target, dotted(expr) or "", expr))
            return
        if isinstance(expr, (*LITERALS, cst.Name)):
            out.append(_Raw(ReturnKind.LITERAL, expr, expr=expr))
            return
        out.append(_Raw(ReturnKind.OTHER, expr, expr=expr))

    # -- classes and functions -------------------------------------------------
    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        if self.frames:
            self.frames.append(None)
            return
        bases = tuple(
            self._candidates(_subscript_base(arg.value)) for arg in node.bases if arg.keyword is None
        )
        cls = _Class(node, bases)
        if any(self._first_party(c) for base in bases for c in base):
            self.interesting = True
        self.classes.append(cls)
        self.frames.append(cls)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.frames.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        frame = self._frame()
        if not self.frames:
            function = self._function(node, None)
            if function.name in TRACKED_FUNCTIONS:
                self.interesting = True
            self.functions.append(function)
            self.frames.append(function)
        elif isinstance(frame, _Class):
            function = self._function(node, frame)
            if function.name in self.methods:
                self.interesting = True
            frame.methods.append(function)
            self.frames.append(function)
        else:
            self.frames.append(None)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.frames.pop()

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self.frames.append(None)

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        self.frames.pop()

    def visit_Return(self, node: cst.Return) -> None:
        frame = self._frame()
        if not isinstance(frame, _Function):
            return
        if node.value is None:
            frame.raws.append(_Raw(ReturnKind.NONE, node))
            return
        frame.returns_value = True
        self._classify(node.value, True, frame.raws)

    def visit_Yield(self, node: cst.Yield) -> None:
        frame = self._frame()
        if isinstance(frame, _Function):
            frame.is_generator = True

    # -- bindings ----------------------------------------------------------------
    def _remember_aliases(self, aliases: Sequence[cst.ImportAlias]) -> None:
        for alias in aliases:
            if alias.asname is not None and type(alias.asname.name) is cst.Name:
                self._remember(alias.asname.name.value)
            else:
                self._remember((dotted(alias.name) or "").split(".", 1)[0])

    def visit_Import(self, node: cst.Import) -> None:
        if not self.frames:
            self._remember_aliases(node.names)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if self.frames:
            return
        if isinstance(node.names, cst.ImportStar):
            module = dotted(node.module) if node.module is not None else None
            level = len(node.relative)
            self.stars.append(self.ctx.names.resolve_relative(level, module) if level else module or "")
            return
        self._remember_aliases(node.names)

    def _assigned(self, target: cst.BaseExpression, value: cst.BaseExpression, single: bool) -> None:
        frame = self._frame()
        if type(target) is not cst.Name:
            if (type(target) is cst.Subscript or type(target) is cst.Attribute):
                self._mutate(target)
            return
        name = target.value
        if not self.frames:
            self._remember(name)
            self.constants.setdefault(name, []).append(value)
            if single:
                self._module_value(name, value, target)
        elif isinstance(frame, _Class):
            frame.attributes.append(name)
        elif isinstance(frame, _Function):
            callee = self.ctx.qualified_name(value.func) if type(value) is cst.Call else None
            frame.locals.setdefault(name, []).append((value, callee))

    def _module_value(self, name: str, value: cst.BaseExpression, target: cst.Name) -> None:
        if type(value) is cst.Call:
            callee = self.ctx.qualified_name(value.func)
            if callee in _CASTS and len(value.args) >= 2 and type(value.args[1].value) is cst.Call:
                callee = self.ctx.qualified_name(value.args[1].value.func)
            self.instances.append((name, callee, target))
        if name not in TRACKED_FUNCTIONS:
            return
        self.interesting = True
        if type(value) is cst.Lambda:
            function = _Function(
                node=value, name=name, track_literals=name in LITERAL_RETURNS or name == ENTRY_POINT,
                name_node=target, params=_params(value.params), returns_value=True,
            )
            params = {p.name for p in function.params}
            body = value.body
            if type(body) is cst.Name and body.value in params:
                function.raws.append(_Raw(ReturnKind.OTHER, body))
            else:
                self._classify(body, False, function.raws)
            self.functions.append(function)
            return
        raws: list[_Raw] = []
        self._classify(value, False, raws)
        kind = raws[0].kind if len(raws) == 1 else ReturnKind.OTHER
        self.values.append((name, kind, raws[0].target if len(raws) == 1 else None, target))

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._assigned(target.target, node.value, len(node.targets) == 1)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._assigned(node.target, node.value, True)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._mutate(node.target)

    def visit_Del(self, node: cst.Del) -> None:
        self._mutate(node.target)

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if type(func) is cst.Attribute and func.attr.value in _MUTATORS:
            self._mutate(func.value)

    # -- result ------------------------------------------------------------------
    def _def_span(self, node: cst.FunctionDef | cst.ClassDef) -> Span:
        whole = self.ctx.span(node)
        name = self.ctx.span(node.name)
        return Span(whole.path, whole.line, whole.column, name.end_line, name.end_column)

    def _resolver(self, function: _Function | None) -> Resolver:
        params = {p.name for p in function.params} if function is not None else set()

        def resolve(name: str) -> cst.BaseExpression | None:
            if name in self.mutated or name in params:
                return None
            if function is not None and name in function.locals:
                values = function.locals[name]
                return values[0][0] if len(values) == 1 else None
            values_at_module = self.constants.get(name, [])
            return values_at_module[0] if len(values_at_module) == 1 else None

        return resolve

    def _literal(self, node: cst.BaseExpression, want: bool, function: _Function | None) -> LiteralFact:
        return LiteralBuilder(self.ctx, want, self._resolver(function)).fact(node)

    def _return(self, function: _Function, raw: _Raw, want: bool) -> ReturnFact:
        kind, target, expr = raw.kind, raw.target, raw.expr
        if raw.local is not None:
            values = function.locals.get(raw.local, [])
            calls = {callee for value, callee in values if type(value) is cst.Call}
            others = [value for value, _ in values if type(value) is not cst.Call]
            if calls and len(calls) == 1 and all(
                type(v) is cst.Name and v.value == "None" for v in others
            ):
                kind, target = ReturnKind.CALL, next(iter(calls))
                expr = next(value for value, _ in values if type(value) is cst.Call)
            elif len(values) == 1 and isinstance(values[0][0], LITERALS) and raw.local not in self.mutated:
                kind, expr = ReturnKind.LITERAL, values[0][0]
            else:
                kind = ReturnKind.OTHER
        elif kind is ReturnKind.NAME and function.track_literals and raw.name:
            constant = self._resolver(function)(raw.name)
            if isinstance(constant, LITERALS) and target == f"{self.ctx.module_name}.{raw.name}":
                kind, expr = ReturnKind.LITERAL, constant
        literal = None
        kwargs: tuple[tuple[str, LiteralFact], ...] = ()
        if function.track_literals and expr is not None:
            if kind is ReturnKind.LITERAL:
                literal = self._literal(expr, want, function)
            elif kind is ReturnKind.CALL and type(expr) is cst.Call:
                kwargs = tuple(
                    (arg.keyword.value, self._literal(arg.value, want, function))
                    for arg in expr.args
                    if arg.keyword is not None and not arg.star
                )
        return ReturnFact(
            kind=kind,
            span=self.ctx.span(raw.node) if want else None,
            target=target,
            name=raw.name,
            literal=literal,
            kwargs=kwargs,
        )

    def _function_fact(self, function: _Function, want: bool) -> FunctionFact:
        if type(function.node) is cst.FunctionDef:
            span = self._def_span(function.node) if want else None
        else:
            span = self.ctx.span(function.name_node) if want else None
        return FunctionFact(
            name=function.name,
            is_async=function.is_async,
            params=function.params,
            decorators=function.decorators,
            span=span,
            returns=tuple(self._return(function, raw, want) for raw in function.raws),
            returns_value=function.returns_value,
            is_generator=function.is_generator,
            is_lambda=type(function.node) is cst.Lambda,
            returns_annotation=function.annotation,
        )

    def result(self) -> InterfaceFacts:
        want = self.interesting
        classes = tuple(
            ClassFact(
                name=cls.node.name.value,
                bases=cls.bases,
                span=self._def_span(cls.node) if want else None,
                methods=tuple(
                    self._function_fact(m, want)
                    for m in cls.methods
                    if not any(d in OVERLOAD_DECORATORS for d in m.decorators)
                ),
                attributes=tuple(dict.fromkeys(cls.attributes)),
            )
            for cls in self.classes
        )
        names: list[tuple[str, tuple[str, ...]]] = []
        for name, bound in self.ctx.names.scopes[0].bindings.items():
            candidates = [bound] if bound is not None else []
            candidates += [c for c in self.history.get(name, ()) if c != bound]
            names.append((name, tuple(candidates)))
        return InterfaceFacts(
            module=self.ctx.module_name,
            classes=classes,
            functions=tuple(self._function_fact(f, want) for f in self.functions),
            instances=tuple(
                InstanceFact(name, callee, self.ctx.span(node) if want else None)
                for name, callee, node in self.instances
            ),
            values=tuple(
                ValueFact(name, kind, target, self.ctx.span(node) if want else None)
                for name, kind, target, node in self.values
            ),
            names=tuple(names),
            star_imports=tuple(dict.fromkeys(self.stars)),
        )


def _subscript_base(node: cst.BaseExpression) -> cst.BaseExpression:
    return node.value if type(node) is cst.Subscript else node
