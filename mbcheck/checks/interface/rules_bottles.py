"""Interface rules (category ``interface``): bottles and the bottle registry's contract.

The bottle registry (``src/milkbottle/registry.py``) imports each bottle
module — a ``milkbottle.bottles`` entry point's module (the ``:attribute`` is
ignored), or ``milkbottle.modules.<dir>`` for a directory of the host's
``modules/`` holding a ``cli.py`` — then calls ``get_metadata()`` if present
(its dict overrides everything; the dunders ``__alias__``, ``__version__``, …
are read only without it), ``validate_config({"enabled": True})`` after a
successful ``get_metadata()``, ``get_cli()`` lazily on run and health (and
``milk bottle run`` calls ``.main(args=[name, *args], standalone_mode=False)``
on what it returns), and ``health_check()`` then ``get_dependencies()`` on
health commands only. Module-level ``get_capabilities``/``get_config_schema``
are never called. These rules check that contract from the interface facts
(:mod:`mbcheck.checks.interface.bottles`). This module imports no libcst.
"""

from __future__ import annotations

from mbcheck.checks.interface.bottle_calls import (
    CliKind,
    cli_returns,
    dependency_problem,
    metadata_problems,
)
from mbcheck.checks.interface.bottles import (
    all_bottles,
    bottle_entries,
    bottle_function_refs,
    bottle_modules,
    module_candidates,
)
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

#: the example bottle's CLI module: a click command
_CLICK_CLI = "import click\n\n\n@click.command()\ndef app():\n    pass\n"


#: where the example bottle's package ``__init__.py`` is
_INIT = "src/example_bottle/__init__.py"


def _bottle(init: str = _BOTTLE_INIT, pyproject: str = _BOTTLE_PYPROJECT, **files: str) -> dict[str, str]:
    """The example bottle's files, with ``__init__.py``, ``pyproject.toml`` or modules replaced."""
    out = {"pyproject.toml": pyproject, _INIT: init, "src/example_bottle/cli.py": _CLICK_CLI}
    out.update({f"src/example_bottle/{name}.py": text for name, text in files.items()})
    return out


def _pointing_at(value: str) -> str:
    """The example ``pyproject.toml`` with its entry point naming ``value``."""
    return _BOTTLE_PYPROJECT.replace("example_bottle:get_cli", value)


def _with_metadata(body: str) -> str:
    """The example ``__init__.py`` with a ``get_metadata()`` returning ``body``."""
    return _BOTTLE_INIT + f"\n\ndef get_metadata():\n    return {body}\n"


def _dependencies(*items: str) -> str:
    """The example ``__init__.py`` with a ``get_dependencies()`` returning ``items``."""
    listed = "".join(f"        {item!r},\n" for item in items)
    return _BOTTLE_INIT + f"\n\ndef get_dependencies():\n    return [\n{listed}    ]\n"


class BottleEntryPointUnresolved(PluginRule):
    """A `milkbottle.bottles` entry point names a module the distribution lacks.

    The module `pkg.mod` must be `pkg/mod.py` or `pkg/mod/__init__.py` (or
    under `src/`). The attribute after `:` is not checked: the registry
    imports the entry point's module and looks `get_cli` up on it, ignoring
    the attribute (MB211 reports a module without `get_cli`).
    Why: the registry imports each entry point's module when MilkBottle
    starts; a missing module logs an error and the bottle silently
    disappears from the menu.
    Instead: fix the module part of the `module:attribute` reference in
    `pyproject.toml`.
    """

    code = "MB210"
    name = "bottle-entry-point-unresolved"
    category = Category.INTERFACE
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    VALID = (
        Valid(path=_INIT, files=_bottle()),
        # the attribute is ignored by the registry: only the module's get_cli counts
        Valid(path=_INIT, files=_bottle(pyproject=_pointing_at("example_bottle:main"))),
    )
    INVALID = (
        Invalid(path="pyproject.toml", files=_bottle(pyproject=_pointing_at("example_botle:get_cli")), line=8),
    )

    def check(self, plugin: PluginContext) -> None:
        for entry in bottle_entries(plugin):
            if entry.path is None:
                looked = ", ".join(module_candidates(entry.module)) if entry.module else "nothing"
                plugin.report(
                    self,
                    entry.span,
                    f"entry point `{entry.name}` names module `{entry.module}`, which is not in the "
                    f"distribution (looked for {looked})",
                )


class BottleMissingCli(PluginRule):
    """A bottle module defines no `get_cli`.

    For an entry point the finding is at the entry point in
    `pyproject.toml` (whatever attribute it names: the registry ignores
    it); for an in-tree bottle (`milkbottle/modules/<dir>/`), at its
    package's `__init__.py` (or its `cli.py` when the directory has no
    `__init__.py`: the registry then imports a namespace package, which
    has no `get_cli`).
    Why: the registry looks `get_cli` up on the bottle module; without it
    the bottle "has no CLI interface", is never valid and cannot be run.
    Instead: define `def get_cli():` in the module the registry imports,
    returning the bottle's click command.
    """

    code = "MB211"
    name = "bottle-missing-cli"
    category = Category.INTERFACE
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    VALID = (
        Valid(path=_INIT, files=_bottle()),
        Valid(
            path=_INIT,
            files=_bottle(
                init='__alias__ = "x"\n__version__ = "1"\nfrom .cli import get_cli\n',
                cli="import click\n\n\ndef get_cli():\n    return click.Command('x')\n",
            ),
        ),
    )
    INVALID = (
        Invalid(
            path="pyproject.toml",
            files=_bottle(pyproject=_pointing_at("example_bottle.cli:app")),
            line=8,
        ),
        Invalid(
            path="src/milkbottle/modules/demo/__init__.py",
            files={
                "pyproject.toml": '[project]\nname = "milkbottle"\nversion = "1"\n',
                "src/milkbottle/__init__.py": "",
                "src/milkbottle/modules/demo/__init__.py": '__alias__ = "demo"\n__version__ = "1"\n',
                "src/milkbottle/modules/demo/cli.py": _CLICK_CLI,
            },
            line=1,
        ),
    )

    def check(self, plugin: PluginContext) -> None:
        index = plugin.facts.interface.index
        for bottle in all_bottles(plugin):
            if bottle.path is None:
                if bottle.entry is None:
                    plugin.report(
                        self,
                        bottle.span,
                        f"bottle `{bottle.key}` has no `__init__.py`: the registry imports `{bottle.module}` as a "
                        "namespace package, which has no `get_cli()`; add an `__init__.py` defining it",
                    )
                continue
            known = index.module_of_path(bottle.path)
            if known is not None and index.has_name(known[0], "get_cli") is False:
                where = f"entry point `{bottle.key}`: " if bottle.entry is not None else ""
                plugin.report(
                    self,
                    bottle.span,
                    f"{where}bottle module `{bottle.module}` ({bottle.path}) defines no `get_cli()`: the "
                    "registry cannot load its CLI",
                )


class BottleMissingDunder(PluginRule):
    """A bottle module without `get_metadata()` does not set `__alias__` or `__version__`.

    The registry reads the dunders only when the module has no
    `get_metadata`; with one, its dict is the metadata and the dunders are
    never read, so they are not required.
    Why: without `get_metadata()` the registry names the bottle by
    `__alias__` and shows `__version__`; it falls back to the bottle's key
    and "0.0.0".
    Instead: set `__alias__ = "name"` and `__version__ = "1.0.0"` in the
    bottle module, or define `get_metadata()` returning both.
    """

    code = "MB212"
    name = "bottle-missing-dunder"
    category = Category.INTERFACE
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    VALID = (
        Valid(path=_INIT, files=_bottle()),
        Valid(
            path=_INIT,
            files=_bottle(
                init="def get_cli():\n    from .cli import app\n\n    return app\n\n\n"
                "def get_metadata():\n    return {'name': 'example', 'version': '1.0.0'}\n"
            ),
        ),
    )
    INVALID = (Invalid(path=_INIT, files=_bottle(init=_BOTTLE_INIT.replace('__alias__ = "example"\n', "")), line=1),)

    def check(self, plugin: PluginContext) -> None:
        index = plugin.facts.interface.index
        for bottle, module in bottle_modules(plugin):
            if index.has_name(module, "get_metadata") is not False:
                continue  # the registry reads get_metadata()'s dict, never the dunders
            for name, fallback in BOTTLE_DUNDERS.items():
                if index.has_name(module, name) is False:
                    plugin.report(
                        self,
                        Span(bottle.path or "", 1, 1),
                        f"bottle module `{bottle.module}` does not set `{name}` (and has no `get_metadata()`): "
                        f"the registry falls back to {fallback}",
                    )


class BottleFunctionSignature(PluginRule):
    """A bottle's module-level `get_cli`, `get_metadata`, `validate_config`, `health_check` or `get_dependencies` has the wrong shape.

    The registry calls `get_metadata()`, `get_cli()`, `health_check()` and
    `get_dependencies()` with no arguments and `validate_config(config)`
    with one, never awaiting them. It never calls module-level
    `get_capabilities` or `get_config_schema`, so they are not checked.
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
            files=_bottle(init=_BOTTLE_INIT + "\n\ndef validate_config(config, strict=False):\n    return True\n"),
        ),
        Valid(path=_INIT, files=_bottle(init=_BOTTLE_INIT + "\n\ndef get_capabilities(kind):\n    return []\n")),
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
        for _bottle, module in bottle_modules(plugin):
            for name, params in BOTTLE_FUNCTIONS.items():
                symbol = index.resolve(f"{module}.{name}")
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


class BottleMetadataInvalid(PluginRule):
    """A bottle's `get_metadata()` returns something the registry cannot use.

    The registry calls `get_metadata()` when it discovers the bottle and
    merges the result with `bottle_info |= metadata`: it must be a dict
    (a `PluginMetadata` object raises `TypeError`, and the dunders are then
    not read as a fallback). Its keys override every other value. `name`
    must be a string (`get_bottle` calls `.lower()` on the name of every
    bottle), and `name` and `version` must be present and not empty (the
    bottle is valid only when both are truthy; without a `version` key it
    has none).
    Why: an unusable metadata dict makes the bottle invalid; a non-string
    name makes `milk bottle run`, `info` and `health NAME` crash for every
    bottle, not only this one.
    Instead: return a plain dict with string `name` and `version`.
    """

    code = "MB214"
    name = "bottle-metadata-invalid"
    category = Category.INTERFACE
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    VALID = (
        Valid(path=_INIT, files=_bottle(init=_with_metadata("{'name': 'example', 'version': '1.0.0'}"))),
        Valid(path=_INIT, files=_bottle(init=_with_metadata("{'name': __alias__, 'version': __version__, **extra}"))),
    )
    INVALID = (
        Invalid(
            path=_INIT,
            files=_bottle(
                init="from milkbottle.plugin_system import PluginMetadata\n"
                + _with_metadata("PluginMetadata(name='example', version='1.0.0')")
            ),
            line=13,
        ),
        Invalid(path=_INIT, files=_bottle(init=_with_metadata("{'name': 3, 'version': '1.0.0'}")), line=12),
        Invalid(path=_INIT, files=_bottle(init=_with_metadata("{'name': 'example'}")), line=12),
        Invalid(path=_INIT, files=_bottle(init=_with_metadata("{'name': 'example', 'version': ''}")), line=12),
    )

    def check(self, plugin: PluginContext) -> None:
        for symbol in bottle_function_refs(plugin, "get_metadata"):
            for span, message in metadata_problems(plugin, symbol):
                plugin.report(self, span, message)


class BottleDependencyNotImportName(PluginRule):
    """An entry of a bottle's `get_dependencies()` is not an importable module name.

    The registry's health check strips only `>=` or `==` (and what follows)
    from each entry and imports the rest with `importlib.import_module`: a
    distribution name whose import name differs (`Pillow`, `PyMuPDF`,
    `python-slugify`, `beautifulsoup4`), a different case (`Rich`, `Click`),
    another operator (`~=`, `<`, `!=`), extras (`[socks]`) or a marker
    (`; python_version < "3.12"`) can never be imported, so the dependency
    always counts as missing and the bottle's health is critical. The
    version is then compared with the module's `__version__` as a string
    (`"10.3.0" < "9.0"`), so keep versions comparable as text or leave
    them out.
    Why: a bottle whose dependencies are installed still reports itself
    broken in `milk bottle health`.
    Instead: list import names with at most `>=` or `==`: `"PIL>=10.0"`,
    `"fitz"`, `"slugify"`, `"rich"`.
    """

    code = "MB215"
    name = "bottle-dependency-not-import-name"
    category = Category.INTERFACE
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    VALID = (Valid(path=_INIT, files=_bottle(init=_dependencies("PIL>=10.0", "fitz", "rich==13.7.1", "yaml"))),)
    INVALID = (
        Invalid(path=_INIT, files=_bottle(init=_dependencies("Pillow>=10.0.0")), line=13),
        Invalid(path=_INIT, files=_bottle(init=_dependencies("rich>=13", "python-slugify>=8.0.0")), line=14),
        Invalid(path=_INIT, files=_bottle(init=_dependencies("Rich>=13.0.0")), line=13),
        Invalid(path=_INIT, files=_bottle(init=_dependencies("rich~=13.0")), line=13),
    )

    def check(self, plugin: PluginContext) -> None:
        for symbol in bottle_function_refs(plugin, "get_dependencies"):
            for ret in symbol.fact.returns:
                literal = ret.literal
                if ret.kind is not ReturnKind.LITERAL or literal is None or not isinstance(literal.value, list):
                    continue
                spans = literal.span_map()
                fallback = spans.get("") or ret.span or symbol.fact.span or Span(symbol.path)
                for number, item in enumerate(literal.value):
                    if not isinstance(item, str):
                        continue
                    problem = dependency_problem(item)
                    if problem is not None:
                        plugin.report(self, spans.get(f"/{number}", fallback), problem)


class BottleCliNotClick(PluginRule):
    """A bottle's `get_cli()` does not return a click command.

    `milk bottle run NAME ARGS` calls `get_cli()` and then
    `.main(args=[NAME, *ARGS], standalone_mode=False)` on the result, which
    only a `click.Command` (or `click.Group`) has. Found statically: a
    `typer.Typer` (it has no `.main`; the run fails with `AttributeError`),
    an attribute another module of the bottle does not define (`return
    import_module("pkg.cli").app` when `pkg/cli.py` has no `app`: the
    registry gets an exception and reports the bottle "not found"), and
    `None` or a literal.
    Why: the bottle is listed but can never run.
    Instead: return a click command; for a typer app,
    `return typer.main.get_command(app)`.
    """

    code = "MB216"
    name = "bottle-cli-not-click"
    category = Category.INTERFACE
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    VALID = (
        Valid(path=_INIT, files=_bottle()),
        Valid(
            path=_INIT,
            files=_bottle(
                init=_BOTTLE_INIT.replace("return app", "return typer.main.get_command(app)").replace(
                    "from .cli import app", "import typer\n\n    from .cli import app"
                ),
                cli="import typer\n\napp = typer.Typer()\n",
            ),
        ),
        Valid(path=_INIT, files=_bottle(cli="import click\n\n\n@click.group()\ndef cli():\n    pass\n\n\napp = cli\n")),
    )
    INVALID = (
        Invalid(path=_INIT, files=_bottle(cli="import typer\n\napp = typer.Typer()\n"), line=8),
        Invalid(
            path=_INIT,
            files=_bottle(
                init='import importlib\n\n__alias__ = "example"\n__version__ = "1.0.0"\n\n\ndef get_cli():\n'
                '    cli_module = importlib.import_module("example_bottle.cli")\n    return cli_module.app\n',
                cli="import click\n\n\n@click.group()\ndef cli():\n    pass\n",
            ),
            line=9,
        ),
        Invalid(path=_INIT, files=_bottle(init=_BOTTLE_INIT.replace("return app", "return None")), line=8),
    )

    def check(self, plugin: PluginContext) -> None:
        index = plugin.facts.interface.index
        seen: set[tuple[str, int, int]] = set()
        for symbol in bottle_function_refs(plugin, "get_cli"):
            for found in cli_returns(index, symbol):
                key = (found.span.path, found.span.line, found.span.column)
                if found.kind is CliKind.CLICK or key in seen:
                    continue
                seen.add(key)
                plugin.report(self, found.span, found.message)


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
