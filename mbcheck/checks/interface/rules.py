"""Interface rules (category ``interface``): the plugin's entry point, ``get_plugin_interface``.

The host imports a plugin package, calls its module-level
``get_plugin_interface()`` without arguments and without ``await``, and then
calls the methods of ``PluginInterface`` on what it gets. These rules report
a missing entry point, one the host cannot call, one that returns no plugin
object, and one whose result cannot be told statically. They read
``plugin.facts.interface`` (:mod:`mbcheck.checks.interface.analysis`), built
from the facts :mod:`mbcheck.checks.interface.collect` records per module.
This module imports no libcst: it runs on cached facts.
"""

from __future__ import annotations

from typing import ClassVar

from mbcheck.checks.interface.analysis import EntryProblemKind
from mbcheck.checks.interface.contract import ENTRY_POINT
from mbcheck.checks.interface.examples import (
    EXAMPLE_PLUGIN,
    example_plugin,
    invalid_at,
)
from mbcheck.context import PluginContext
from mbcheck.model import Category, Confidence, PluginKind, Severity, Span
from mbcheck.rules.base import Invalid, PluginRule, Valid


class MissingEntryPoint(PluginRule):
    """The plugin's `__init__.py` defines no module-level `get_plugin_interface`.

    The function may be defined in `__init__.py` or imported there from the
    plugin's own modules (`from .core import get_plugin_interface`).
    Why: the host imports the plugin package and calls
    `get_plugin_interface()`; without it the plugin "has no interface" and is
    never loaded.
    Instead: define `def get_plugin_interface():` at module level in
    `__init__.py`, returning an instance of your `PluginInterface` class.
    """

    code = "MB201"
    name = "missing-plugin-entry-point"
    category = Category.INTERFACE
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    VALID = (
        Valid(EXAMPLE_PLUGIN),
        Valid("from .core import get_plugin_interface\n", files={"core.py": EXAMPLE_PLUGIN}),
        Valid(
            "from .core import make as get_plugin_interface\n",
            files={"core.py": example_plugin(entry="def make():\n    return Plugin()\n")},
        ),
    )
    INVALID = (
        Invalid(example_plugin(entry="def get_interface():\n    return Plugin()\n"), line=1,
                fixed=example_plugin(entry="def get_interface():\n    return Plugin()\n")
                + "\n\ndef get_plugin_interface():\n    return Plugin()\n"),
        Invalid("from .core import Plugin\n", files={"core.py": EXAMPLE_PLUGIN}, line=1),
        Invalid("class Holder:\n    def get_plugin_interface(self):\n        return None\n", line=1),
    )

    def check(self, plugin: PluginContext) -> None:
        if plugin.model.kind is not PluginKind.PLUGIN:
            return
        if "__init__.py" not in plugin.files:
            plugin.report(
                self,
                Span(plugin.model.manifest_path if plugin.model.manifest_path != "__init__.py" else ""),
                f"the plugin has no `__init__.py`: the host cannot import it or call `{ENTRY_POINT}()`",
            )
            return
        init = plugin.modules.get("__init__.py")
        if init is None or not init.parsed or init.facts.interface is None:
            return  # a file that does not parse is reported as such
        analysis = plugin.facts.interface
        if analysis.entry_found or analysis.unresolved:
            return
        from mbcheck.checks.interface.fixes import add_entry_point

        plugin.report(
            self,
            Span("__init__.py", 1, 1),
            f"`__init__.py` defines no module-level `{ENTRY_POINT}()`: the host cannot load the plugin",
            fix=add_entry_point(plugin, analysis.explicit),
        )


class EntryPointSignature(PluginRule):
    """`get_plugin_interface` cannot be called the way the host calls it.

    The host calls `get_plugin_interface()` with no arguments and without
    `await`. A required parameter, an `async def`, or a name bound to
    something that is not callable all fail at load time.
    Why: the plugin fails to load, with an error only the user sees.
    Instead: `def get_plugin_interface():` with no required parameters,
    returning the plugin object.
    """

    code = "MB202"
    name = "entry-point-signature"
    category = Category.INTERFACE
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    VALID = (
        Valid(EXAMPLE_PLUGIN),
        Valid(example_plugin(entry="def get_plugin_interface(config=None, *args, **kwargs):\n    return Plugin()\n")),
        Valid(example_plugin(entry="get_plugin_interface = Plugin\n")),
    )
    INVALID = (
        invalid_at(example_plugin(entry="def get_plugin_interface(config):\n    return Plugin()\n"), "def get_plugin_"),
        invalid_at(example_plugin(entry="async def get_plugin_interface():\n    return Plugin()\n"), "async def get_"),
        invalid_at(example_plugin(entry="get_plugin_interface = None\n"), "get_plugin_interface = None"),
        invalid_at(
            example_plugin(
                replace={"__init__": "    def __init__(self, name):\n        self.name = name\n"},
                entry="get_plugin_interface = Plugin\n",
            ),
            "def __init__",
        ),
    )

    #: the entry-point problems this rule reports
    kinds: ClassVar[frozenset[EntryProblemKind]] = frozenset(
        {
            EntryProblemKind.ASYNC,
            EntryProblemKind.REQUIRED_PARAMETERS,
            EntryProblemKind.CLASS_REQUIRES_ARGUMENTS,
            EntryProblemKind.NOT_CALLABLE,
        }
    )

    def check(self, plugin: PluginContext) -> None:
        _report_entry_problems(self, plugin, self.kinds)


class EntryPointReturn(PluginRule):
    """`get_plugin_interface()` returns something that is not a plugin object.

    Reports a `return None` (or no return at all), a literal, the class
    itself instead of an instance, or a function instead of what it makes.
    Why: the host calls the interface methods on the returned value; on
    `None` or a class they fail (`get_cli()` of a class lacks `self`).
    Instead: return an instance: `return MyPlugin()`, or a module-level
    `plugin = MyPlugin()` returned by name.
    """

    code = "MB203"
    name = "entry-point-return"
    category = Category.INTERFACE
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    VALID = (
        Valid(EXAMPLE_PLUGIN),
        Valid(example_plugin(entry="plugin = Plugin()\n\n\ndef get_plugin_interface():\n    return plugin\n")),
        Valid(
            example_plugin(
                entry="_plugin = None\n\n\ndef get_plugin_interface():\n    global _plugin\n"
                "    if _plugin is None:\n        _plugin = Plugin()\n    return _plugin\n"
            )
        ),
    )
    INVALID = (
        invalid_at(example_plugin(entry="def get_plugin_interface():\n    return None\n"), "return None", last=True),
        invalid_at(example_plugin(entry="def get_plugin_interface():\n    return Plugin\n"), "return Plugin", last=True),
        invalid_at(example_plugin(entry="def get_plugin_interface():\n    Plugin()\n"), "def get_plugin_interface"),
        invalid_at(example_plugin(entry="def get_plugin_interface():\n    return {'name': 'x'}\n"), "{'name'"),
    )

    #: the entry-point problems this rule reports
    kinds: ClassVar[frozenset[EntryProblemKind]] = frozenset(
        {
            EntryProblemKind.NO_RETURN_VALUE,
            EntryProblemKind.RETURNS_NONE,
            EntryProblemKind.RETURNS_LITERAL,
            EntryProblemKind.RETURNS_CLASS,
            EntryProblemKind.RETURNS_FUNCTION,
        }
    )

    def check(self, plugin: PluginContext) -> None:
        _report_entry_problems(self, plugin, self.kinds)


def _report_entry_problems(rule: PluginRule, plugin: PluginContext, kinds: frozenset[EntryProblemKind]) -> None:
    """Report the entry point's problems of ``kinds``, each once, in the order they were found."""
    if plugin.model.kind is not PluginKind.PLUGIN:
        return
    seen: set[tuple[Span, str]] = set()
    for problem in plugin.facts.interface.problems:
        if problem.kind in kinds and (problem.span, problem.message) not in seen:
            seen.add((problem.span, problem.message))
            plugin.report(rule, problem.span, problem.message)


class InterfaceUnresolved(PluginRule):
    """What `get_plugin_interface()` returns is not statically known; its methods were not checked.

    Why: mbcheck checks the interface methods of the class the entry point
    returns. When it cannot tell which class that is (a factory from another
    library, a value computed at run time) and no class subclasses
    `PluginInterface`, none of the interface checks ran.
    Instead: subclass `PluginInterface` explicitly, or return an instance of a
    class defined in the plugin (`return MyPlugin()`).
    """

    code = "MB209"
    name = "interface-unresolved"
    category = Category.INTERFACE
    severity = Severity.INFO
    confidence = Confidence.MEDIUM
    VALID = (Valid(EXAMPLE_PLUGIN), Valid(example_plugin(bases="")))
    INVALID = (
        Invalid(
            "from sdk import make_plugin\n\n\ndef get_plugin_interface():\n    return make_plugin('x')\n",
            line=4,
        ),
    )

    def check(self, plugin: PluginContext) -> None:
        if plugin.model.kind is not PluginKind.PLUGIN:
            return
        analysis = plugin.facts.interface
        if not analysis.entry_found or analysis.implementations or not analysis.unresolved:
            return
        plugin.report(
            self,
            analysis.entry_span or Span("__init__.py", 1, 1),
            f"cannot tell statically which class `{ENTRY_POINT}()` returns; its interface methods were not checked",
        )

