"""Interface rules (category ``interface``): bottles and the bottle registry's contract.

A bottle distribution declares ``milkbottle.bottles`` entry points in
``pyproject.toml``. The registry imports each entry point's module, reads its
``__alias__`` and ``__version__``, and calls its module-level ``get_cli()``
(and ``validate_config(config)``, ``health_check()``, … when present) without
awaiting them. These rules check that contract from the interface facts
(:mod:`mbcheck.checks.interface.bottles`). This module imports no libcst.
"""

from __future__ import annotations

from mbcheck.checks.interface.bottles import bottle_entries, bottle_modules, module_candidates
from mbcheck.checks.interface.contract import BOTTLE_DUNDERS, BOTTLE_FUNCTIONS
from mbcheck.checks.interface.facts import FunctionFact, ReturnKind, call_problems, decorator_kind
from mbcheck.checks.interface.symbols import ClassRef, External, FunctionRef, InstanceRef, ValueRef
from mbcheck.context import PluginContext
from mbcheck.model import Category, Confidence, Severity, Span
from mbcheck.rules.base import Invalid, PluginRule, Valid

#: the example bottle distribution's ``pyproject.toml`` and package ``__init__.py``
_BOTTLE_PYPROJECT = """\
[project]
name = "milkbottle-example"
version = "1.0.0"
description = "An example bottle."
requires-python = ">=3.11"

[project.entry-points."milkbottle.bottles"]
example = "example_bottle:get_cli"
"""

_BOTTLE_INIT = """\
__alias__ = "example"
__version__ = "1.0.0"


def get_cli():
    from .cli import app

    return app
"""


#: where the example bottle's package ``__init__.py`` is
_INIT = "src/example_bottle/__init__.py"


def _bottle(init: str = _BOTTLE_INIT, pyproject: str = _BOTTLE_PYPROJECT, **files: str) -> dict[str, str]:
    """The example bottle's files, with ``__init__.py``, ``pyproject.toml`` or modules replaced."""
    out = {"pyproject.toml": pyproject, _INIT: init}
    out.update({f"src/example_bottle/{name}.py": text for name, text in files.items()})
    return out


def _pointing_at(value: str) -> str:
    """The example ``pyproject.toml`` with its entry point naming ``value``."""
    return _BOTTLE_PYPROJECT.replace("example_bottle:get_cli", value)


class BottleEntryPointUnresolved(PluginRule):
    """A `milkbottle.bottles` entry point names a module or attribute the distribution lacks.

    The module `pkg.mod` must be `pkg/mod.py` or `pkg/mod/__init__.py` (or
    under `src/`), and the attribute after `:` must be defined (or imported)
    at its module level.
    Why: the registry imports each entry point's module when MilkBottle
    starts; a missing module or attribute logs an error and the bottle
    silently disappears from the menu.
    Instead: fix the `module:attribute` reference in `pyproject.toml`.
    """

    code = "MB210"
    name = "bottle-entry-point-unresolved"
    category = Category.INTERFACE
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    VALID = (
        Valid(path=_INIT, files=_bottle(cli="app = None\n")),
        Valid(path=_INIT, files=_bottle(
            pyproject=_pointing_at("example_bottle.cli:app"), cli="import typer\n\napp = typer.Typer()\n"
        )),
    )
    INVALID = (
        Invalid(path="pyproject.toml", files=_bottle(pyproject=_pointing_at("example_bottle:main")), line=8),
        Invalid(path="pyproject.toml", files=_bottle(pyproject=_pointing_at("example_botle:get_cli")), line=8),
    )

    def check(self, plugin: PluginContext) -> None:
        index = plugin.facts.interface.index
        for entry in bottle_entries(plugin):
            if entry.path is None:
                looked = ", ".join(module_candidates(entry.module)) if entry.module else "nothing"
                plugin.report(
                    self,
                    entry.span,
                    f"entry point `{entry.name}` names module `{entry.module}`, which is not in the "
                    f"distribution (looked for {looked})",
                )
                continue
            if not entry.attr:
                continue
            known = index.module_of_path(entry.path)
            if known is None:
                continue  # the module did not parse; that is reported on its own
            first = entry.attr.split(".", 1)[0]
            if index.has_name(known[0], first) is False:
                plugin.report(
                    self,
                    entry.span,
                    f"entry point `{entry.name}` names `{entry.module}:{entry.attr}`, but `{entry.path}` "
                    f"defines no `{first}`",
                )


class BottleMissingCli(PluginRule):
    """A bottle module defines no `get_cli`.

    Why: the registry loads a bottle by calling `get_cli()` on the entry
    point's module; without it the bottle "has no CLI interface" and cannot
    be run.
    Instead: define `def get_cli():` returning the bottle's typer/click app.
    """

    code = "MB211"
    name = "bottle-missing-cli"
    category = Category.INTERFACE
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    VALID = (
        Valid(path=_INIT, files=_bottle(cli="app = None\n")),
        Valid(
            path=_INIT,
            files=_bottle(
                init='__alias__ = "x"\n__version__ = "1"\nfrom .cli import get_cli\n', cli="def get_cli():\n    return None\n"
            ),
        ),
    )
    INVALID = (
        Invalid(
            path="src/example_bottle/cli.py",
            files=_bottle(
                pyproject=_pointing_at("example_bottle.cli:app"), cli='__alias__ = "x"\n__version__ = "1"\napp = None\n'
            ),
            line=1,
        ),
    )

    def check(self, plugin: PluginContext) -> None:
        index = plugin.facts.interface.index
        for bottle in bottle_modules(plugin):
            if bottle.entry.attr.split(".", 1)[0] == "get_cli" and index.has_name(bottle.module, "get_cli") is False:
                continue  # MB210 reports the entry point itself
            if index.has_name(bottle.module, "get_cli") is False:
                plugin.report(
                    self,
                    Span(bottle.path, 1, 1),
                    f"bottle module `{bottle.entry.module}` defines no `get_cli()`: the registry cannot load its CLI",
                )


class BottleMissingDunder(PluginRule):
    """A bottle module does not set `__alias__` or `__version__`.

    Why: the registry lists bottles by `__alias__` and shows `__version__`;
    without them it falls back to the entry-point name and "0.0.0".
    Instead: set `__alias__ = "name"` and `__version__ = "1.0.0"` in the
    bottle module.
    """

    code = "MB212"
    name = "bottle-missing-dunder"
    category = Category.INTERFACE
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    VALID = (Valid(path=_INIT, files=_bottle(cli="app = None\n")),)
    INVALID = (Invalid(path=_INIT, files=_bottle(init=_BOTTLE_INIT.replace('__alias__ = "example"\n', "")), line=1),)

    def check(self, plugin: PluginContext) -> None:
        index = plugin.facts.interface.index
        for bottle in bottle_modules(plugin):
            for name, fallback in BOTTLE_DUNDERS.items():
                if index.has_name(bottle.module, name) is False:
                    plugin.report(
                        self,
                        Span(bottle.path, 1, 1),
                        f"bottle module `{bottle.entry.module}` does not set `{name}`: the registry falls back "
                        f"to {fallback}",
                    )


class BottleFunctionSignature(PluginRule):
    """A bottle's module-level `get_cli`, `validate_config`, `health_check`, … has the wrong shape.

    The registry calls `get_cli()`, `get_metadata()`, `get_capabilities()`,
    `get_dependencies()`, `get_config_schema()`, `health_check()` with no
    arguments and `validate_config(config)` with one, never awaiting them.
    Why: a required parameter, an `async def` or a non-function (`get_cli = app`
    calls the app itself) fails when the registry reaches it.
    Instead: plain module-level functions with the shape the finding names.
    """

    code = "MB213"
    name = "bottle-function-signature"
    category = Category.INTERFACE
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    VALID = (
        Valid(
            path=_INIT,
            files=_bottle(
                init=_BOTTLE_INIT + "\n\ndef validate_config(config, strict=False):\n    return True\n",
                cli="app = None\n",
            ),
        ),
    )
    INVALID = (
        Invalid(path=_INIT, files=_bottle(init=_BOTTLE_INIT + "\n\ndef validate_config():\n    return True\n"), line=11),
        Invalid(path=_INIT, files=_bottle(init=_BOTTLE_INIT + "\n\nasync def health_check():\n    return {}\n"), line=11),
        Invalid(
            path=_INIT,
            files=_bottle(init='import typer\n\n__alias__ = "example"\n__version__ = "1.0.0"\nget_cli = typer.Typer()\n'),
            line=5,
        ),
    )

    def check(self, plugin: PluginContext) -> None:
        index = plugin.facts.interface.index
        seen: set[tuple[str, str]] = set()
        for entry in bottle_entries(plugin):
            if entry.path is None or entry.module not in index.modules:
                continue
            for name, params in BOTTLE_FUNCTIONS.items():
                symbol = index.resolve(f"{entry.module}.{name}")
                call = f"{name}({', '.join(params)})"
                expected = f"def {call}"
                if isinstance(symbol, FunctionRef):
                    key = (symbol.path, f"{symbol.fact.name}@{symbol.fact.span}")
                    if key in seen:
                        continue
                    seen.add(key)
                    for message in _function_problems(symbol.fact, params, call):
                        plugin.report(
                            self, symbol.fact.span or Span(symbol.path), f"`{name}` {message}; expected `{expected}`"
                        )
                elif isinstance(symbol, (InstanceRef, ValueRef)):
                    span = symbol.fact.span or Span(symbol.path)
                    key = (symbol.path, f"{name}@{span}")
                    if key in seen:
                        continue
                    seen.add(key)
                    if isinstance(symbol, InstanceRef):
                        made = index.resolve(symbol.fact.target)
                        if isinstance(made, (External, ClassRef)) and (
                            not isinstance(made, ClassRef) or index.mro(made).lookup("__call__") is None
                        ):
                            what = made.qualname if isinstance(made, External) else made.fact.name
                            plugin.report(
                                self,
                                span,
                                f"`{name}` is an instance of `{what}`, not a function: the registry calls "
                                f"`{call}`; expected `{expected}`",
                            )
                    elif symbol.fact.kind in (ReturnKind.LITERAL, ReturnKind.NONE):
                        plugin.report(self, span, f"`{name}` is a literal, not a function; expected `{expected}`")


def _function_problems(fact: FunctionFact, params: tuple[str, ...], call: str) -> list[str]:
    kind = decorator_kind(fact)
    if kind == "unknown":
        return []
    out: list[str] = []
    if fact.is_async:
        out.append("is `async def`, but the registry calls it without awaiting and gets a coroutine")
    problems = call_problems(fact.params, len(params), 0)
    if problems:
        out.append(f"cannot take the registry's call `{call}`: {'; '.join(problems)}")
    return out
