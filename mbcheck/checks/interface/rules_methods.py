"""Interface rules (category ``interface``): the methods of ``PluginInterface``.

The host calls every method of ``PluginInterface`` on the object
``get_plugin_interface()`` returns, awaiting the ones the host profile marks
async (``initialize`` and ``shutdown`` with MilkBottle 1.0). These rules check
each method the host reaches (through the class's own bases too): that it
exists, is async where awaited and plain elsewhere, accepts the host's call,
and that the literal values some methods return agree with the manifest and
the host's expectations. The method shapes come from the host profile
(``plugin.host.plugin_interface``). This module imports no libcst.
"""

from __future__ import annotations

from mbcheck.checks.interface.analysis import (
    checked_methods,
    manifest_label,
    normal_requirement,
    resolved_methods,
    same_field,
)
from mbcheck.checks.interface.contract import AWAITABLE_ANNOTATIONS, expected_shape
from mbcheck.checks.interface.examples import (
    EXAMPLE_PLUGIN,
    example_class,
    example_plugin,
    invalid_at,
)
from mbcheck.checks.interface.facts import ReturnKind, call_problems, decorator_kind, json_type
from mbcheck.context import PluginContext
from mbcheck.model import (
    NOT_STATIC,
    Category,
    Confidence,
    ManifestSource,
    PluginKind,
    Severity,
    Span,
)
from mbcheck.rules.base import EXAMPLE_MANIFEST, Invalid, PluginRule, Valid


class MissingInterfaceMethod(PluginRule):
    """The plugin class lacks a method of `PluginInterface`.

    Checked on the class `get_plugin_interface()` returns (or, when that is
    not statically known, on each class that subclasses `PluginInterface`),
    with methods inherited from the plugin's own base classes counted, in any
    module. The required methods come from the host profile.
    Why: the host calls every method of the protocol; a missing one raises
    `AttributeError` (or, inherited from the protocol, silently returns None)
    in the middle of loading or running the plugin.
    Instead: implement the method with the shape the finding names.
    """

    code = "MB204"
    name = "interface-method-missing"
    category = Category.INTERFACE
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    VALID = (
        Valid(EXAMPLE_PLUGIN),
        Valid("from .core import get_plugin_interface\n", files={
            "base.py": example_class("Base", drop=("get_cli",)),
            "core.py": """\
from milkbottle.plugin_system.core import PluginInterface
from .base import Base as B


class Plugin(B):
    def get_cli(self):
        return None


def get_plugin_interface():
    return Plugin()
""",
        }),
        Valid(
            example_plugin(drop=("get_error_log",), bases="Mixin")
            + "\n\nclass Mixin:\n    def get_error_log(self):\n        return []\n"
        ),
        Valid(example_plugin(drop=("get_error_log",), bases="SomeSDKBase", imports="from sdk import SomeSDKBase\n")),
    )
    INVALID = (
        invalid_at(
            example_plugin(drop=("get_error_log",)),
            "class Plugin",
            fixed=example_plugin(drop=("get_error_log",)).replace(
                "        return {}\n", "        return {}\n\n    def get_error_log(self):\n        raise NotImplementedError\n"
            ),
        ),
        invalid_at(
            "from milkbottle.plugin_system import PluginInterface as PI\n\n\n"
            + example_class(bases="PI", drop=("shutdown",))
            + "\n\nplugin = Plugin()\n\n\ndef get_plugin_interface():\n    return plugin\n",
            "class Plugin",
            fixed="from milkbottle.plugin_system import PluginInterface as PI\n\n\n"
            + example_class(bases="PI", drop=("shutdown",))
            + "\n    async def shutdown(self):\n        raise NotImplementedError\n"
            + "\n\nplugin = Plugin()\n\n\ndef get_plugin_interface():\n    return plugin\n",
        ),
        Invalid(
            example_class(bases="", drop=("get_cli", "health_check")),
            files={"__init__.py": "from .impl import Plugin\n\n\ndef get_plugin_interface():\n    return Plugin()\n"},
            path="impl.py",
            line=1,
            fixed=example_class(bases="", drop=("get_cli", "health_check"))
            + "\n    def get_cli(self):\n        raise NotImplementedError\n"
            + "\n    def health_check(self):\n        raise NotImplementedError\n",
        ),
    )

    def check(self, plugin: PluginContext) -> None:
        if plugin.model.kind is not PluginKind.PLUGIN:
            return
        analysis = plugin.facts.interface
        spec = plugin.host.plugin_interface
        seen: set[tuple[str, str]] = set()
        for impl in analysis.implementations:
            if impl.order.lookup("__getattr__") is not None or impl.order.open:
                continue
            missing = [name for name in spec if impl.order.lookup(name) is None and (impl.cls.qualname, name) not in seen]
            if not missing:
                continue
            from mbcheck.checks.interface.fixes import add_stubs

            fix = add_stubs(plugin, impl.cls, missing, spec)
            for name in missing:
                seen.add((impl.cls.qualname, name))
                plugin.report(
                    self,
                    impl.span,
                    f"`{impl.cls.fact.name}` does not define `{name}`: the host calls it; "
                    f"expected `{expected_shape(name, spec[name])}`",
                    fix=fix,
                )


class InterfaceMethodAsync(PluginRule):
    """An interface method is `async def` where the host does not await it, or the reverse.

    The host profile says which methods the host awaits: with MilkBottle 1.0
    `initialize` and `shutdown` must be `async def` (or a plain `def`
    annotated to return an awaitable), and every other method a plain `def`.
    Why: calling an `async def` without `await` returns a coroutine, never
    the value (and the work never runs); awaiting a plain value raises
    `TypeError`. An async generator cannot be awaited at all.
    Instead: use the shape the finding names.
    """

    code = "MB205"
    name = "interface-method-async"
    category = Category.INTERFACE
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    VALID = (
        Valid(EXAMPLE_PLUGIN),
        Valid(example_plugin(
            imports="from typing import Awaitable\n",
            replace={"initialize": "    def initialize(self) -> Awaitable[bool]:\n        return self._start()\n"},
        )),
    )
    INVALID = (
        invalid_at(
            example_plugin(replace={"initialize": "    def initialize(self):\n        return True\n"}),
            "def initialize",
            fixed=example_plugin(replace={"initialize": "    async def initialize(self):\n        return True\n"}),
        ),
        invalid_at(
            example_plugin(replace={"initialize": "    def initialize(self):\n        return self._start()\n"}),
            "def initialize",
            fixed=example_plugin(replace={"initialize": "    async def initialize(self):\n        return self._start()\n"}),
        ),
        invalid_at(example_plugin(replace={"get_cli": "    async def get_cli(self):\n        return None\n"}), "async def get_cli"),
        invalid_at(
            example_plugin(replace={"shutdown": "    async def shutdown(self):\n        yield None\n"}),
            "async def shutdown",
        ),
    )

    def check(self, plugin: PluginContext) -> None:
        if plugin.model.kind is not PluginKind.PLUGIN:
            return
        for checked in checked_methods(plugin):
            method = checked.method
            if decorator_kind(method) in ("unknown", "property"):
                continue
            wants_async = bool(checked.shape.get("async"))
            if wants_async and not method.is_async:
                if method.returns_annotation in AWAITABLE_ANNOTATIONS:
                    continue
                from mbcheck.checks.interface.fixes import make_async

                plugin.report(
                    self,
                    checked.span,
                    f"`{checked.label}` is a plain `def`, but the host awaits it; expected `{checked.expected}`",
                    fix=make_async(plugin, method, checked.span),
                )
            elif wants_async and method.is_generator:
                plugin.report(
                    self,
                    checked.span,
                    f"`{checked.label}` is an async generator (it yields), which cannot be awaited; "
                    f"expected `{checked.expected}` returning its result",
                )
            elif not wants_async and method.is_async:
                plugin.report(
                    self,
                    checked.span,
                    f"`{checked.label}` is `async def`, but the host calls it without awaiting and "
                    f"gets a coroutine; expected `{checked.expected}`",
                )


class InterfaceMethodSignature(PluginRule):
    """An interface method's parameters do not accept the host's call.

    The host profile gives the arguments of each call: with MilkBottle 1.0 the
    host calls `validate_config(config)` with one positional argument and
    every other method with none. Extra required parameters (positional or
    keyword-only), too few positional parameters, a missing `self`, or a
    `@property` in place of a method all fail. `*args`, `**kwargs` and
    parameters with defaults are fine; `@staticmethod` and `@classmethod` are
    understood.
    Why: the call raises `TypeError` when the host reaches it, usually far from
    the plugin's own tests.
    Instead: use the shape the finding names; give extra parameters defaults.
    """

    code = "MB206"
    name = "interface-method-signature"
    category = Category.INTERFACE
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    VALID = (
        Valid(EXAMPLE_PLUGIN),
        Valid(example_plugin(replace={
            "validate_config": "    def validate_config(self, cfg, strict=False, *, log=None, **kw):\n        return True\n",
            "get_capabilities": "    @staticmethod\n    def get_capabilities():\n        return ['example']\n",
            "get_dependencies": "    @classmethod\n    def get_dependencies(cls, *extra):\n        return []\n",
        })),
    )
    INVALID = (
        invalid_at(
            example_plugin(replace={"validate_config": "    def validate_config(self):\n        return True\n"}),
            "def validate_config",
        ),
        invalid_at(
            example_plugin(replace={"get_cli": "    def get_cli(self, verbose):\n        return None\n"}), "def get_cli"
        ),
        invalid_at(example_plugin(replace={"get_cli": "    def get_cli():\n        return None\n"}), "def get_cli"),
        invalid_at(
            example_plugin(replace={"get_cli": "    @property\n    def get_cli(self):\n        return None\n"}),
            "def get_cli",
        ),
        invalid_at(
            example_plugin(
                replace={"health_check": "    def health_check(self, *, deep):\n        return {'status': 'ok'}\n"}
            ),
            "def health_check",
        ),
    )

    def check(self, plugin: PluginContext) -> None:
        if plugin.model.kind is not PluginKind.PLUGIN:
            return
        for checked in checked_methods(plugin):
            kind = decorator_kind(checked.method)
            params = checked.shape.get("params", ())
            call = f"{checked.method.name}({', '.join(str(p) for p in params)})"
            if kind == "unknown":
                continue
            if kind == "property":
                plugin.report(
                    self,
                    checked.span,
                    f"`{checked.label}` is a property, but the host calls `{call}`; expected `{checked.expected}`",
                )
                continue
            problems = call_problems(checked.method.params, len(params), 0 if kind == "static" else 1)
            if problems:
                plugin.report(
                    self,
                    checked.span,
                    f"`{checked.label}` cannot take the host's call `{call}`: {'; '.join(problems)}; "
                    f"expected `{checked.expected}`",
                )


# ---------------------------------------------------------------------------
# literal return values


class InterfaceManifestDrift(PluginRule):
    """`get_capabilities()` or `get_dependencies()` returns a list the manifest does not declare.

    Compared when the method returns a list literal: capabilities as names,
    dependencies as normalized requirements, order ignored.
    Why: the host and the marketplace read the manifest, the running plugin
    answers from code; two lists mean one of them is wrong (a dependency the
    installer never installs, a capability nobody can search for).
    Instead: keep the lists equal, or return the manifest's list.
    """

    needs_manifest = True
    code = "MB207"
    name = "interface-manifest-drift"
    category = Category.INTERFACE
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    VALID = (
        Valid(EXAMPLE_PLUGIN),
        Valid(
            example_plugin(replace={"get_dependencies": "    def get_dependencies(self):\n        return ['Requests >= 2.0']\n"}),
            files={"plugin.yaml": EXAMPLE_MANIFEST + "dependencies: [requests>=2.0]\n"},
        ),
    )
    INVALID = (
        invalid_at(
            example_plugin(
                replace={"get_capabilities": "    def get_capabilities(self):\n        return ['example', 'pdf']\n"}
            ),
            "['example', 'pdf']",
        ),
        invalid_at(
            example_plugin(
                replace={"get_dependencies": "    def get_dependencies(self):\n        return ['requests']\n"}
            ),
            "['requests']",
        ),
    )

    def check(self, plugin: PluginContext) -> None:
        model = plugin.model
        if model.kind is not PluginKind.PLUGIN or model.source is ManifestSource.NONE:
            return
        for method, key in (("get_capabilities", "capabilities"), ("get_dependencies", "dependencies")):
            declared = model.value(key, [])
            if declared is NOT_STATIC or not isinstance(declared, list):
                continue
            for use in resolved_methods(plugin, method):
                for ret in use.method.returns:
                    literal = ret.literal
                    if literal is None or not literal.complete or not isinstance(literal.value, list):
                        continue
                    if same_field(key, literal.value, declared):
                        continue
                    normal = normal_requirement if key == "dependencies" else str
                    mine = {normal(str(v)) for v in literal.value}
                    theirs = {normal(str(v)) for v in declared}
                    parts = []
                    if mine - theirs:
                        parts.append(f"{sorted(mine - theirs)} not declared there")
                    if theirs - mine:
                        parts.append(f"{sorted(theirs - mine)} missing")
                    span = literal.span_map().get("") or ret.span or use.method.span or Span(use.owner.path)
                    plugin.report(
                        self,
                        span,
                        f"`{method}()` disagrees with {key} in {manifest_label(plugin)}: "
                        + ("; ".join(parts) or "the lists differ"),
                    )


class HealthCheckStatus(PluginRule):
    """`health_check()` returns a dict literal without a `status` key, or not a dict.

    Why: the host reads `status` (`healthy`, `initializing`, `critical`, …)
    to show and act on the plugin's health; without it the plugin is
    reported unhealthy or the monitor fails.
    Instead: return `{"status": "healthy", ...}`.
    """

    code = "MB208"
    name = "health-check-status"
    category = Category.INTERFACE
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    VALID = (
        Valid(EXAMPLE_PLUGIN),
        Valid(example_plugin(replace={
            "health_check": "    def health_check(self):\n        state = 'ok'\n        return {'status': state, **self.extra()}\n"
        })),
    )
    INVALID = (
        invalid_at(
            example_plugin(replace={"health_check": "    def health_check(self):\n        return {'ok': True}\n"}),
            "{'ok': True}",
        ),
        invalid_at(
            example_plugin(replace={"health_check": "    def health_check(self):\n        return 'healthy'\n"}),
            "'healthy'",
        ),
    )

    def check(self, plugin: PluginContext) -> None:
        if plugin.model.kind is not PluginKind.PLUGIN:
            return
        for use in resolved_methods(plugin, "health_check"):
            for ret in use.method.returns:
                span = ret.span or use.method.span or Span(use.owner.path)
                where = f"`{use.owner.fact.name}.health_check()`"
                if ret.kind is ReturnKind.NONE:
                    plugin.report(self, span, f"{where} returns None; the host expects a dict with a `status` key")
                    continue
                literal = ret.literal
                if literal is None or literal.value is NOT_STATIC:
                    continue
                if not isinstance(literal.value, dict):
                    plugin.report(
                        self,
                        span,
                        f"{where} returns a {json_type(literal.value)}; the host expects a dict with a `status` key",
                    )
                    continue
                if "" in literal.open or "status" in literal.value or "/status" in literal.holes:
                    continue
                plugin.report(
                    self,
                    literal.span_map().get("") or span,
                    f"{where} returns a dict without a `status` key (the host reads `status`: healthy, "
                    "initializing, critical, …)",
                )

