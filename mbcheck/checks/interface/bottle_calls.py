"""What a bottle's functions give the registry: ``get_cli()``'s object, ``get_metadata()``'s dict,
``get_dependencies()``'s names.

The registry calls ``get_cli()`` and then ``.main(args=[name, *args],
standalone_mode=False)`` on the result (``src/milkbottle/cli.py``), so it must
be a click command; :func:`cli_returns` follows each ``return`` of
``get_cli`` — across the bottle's modules (``import_module("pkg.cli").app``,
``from .cli import app``), aliases (``app = cli``) and calls of the bottle's own
functions — to what it is: a click command (a function decorated with
``@click.command()``/``@click.group()``, ``click.Group(...)``,
``typer.main.get_command(app)``), a ``typer.Typer``, a name the other module
does not define, ``None`` or a literal. The registry merges ``get_metadata()``'s
result with ``dict |=`` and reads ``name``/``version`` from it
(:func:`metadata_problems`); its health check imports each
``get_dependencies()`` entry after stripping only ``>=``/``==``
(:func:`dependency_problem`). No libcst.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from packaging.requirements import InvalidRequirement, Requirement

from mbcheck.checks.deps.names import canonical, load_import_map, load_popular
from mbcheck.checks.interface.contract import public_names
from mbcheck.checks.interface.facts import ReturnKind, json_type
from mbcheck.checks.interface.symbols import (
    ClassRef,
    External,
    FunctionRef,
    Index,
    InstanceRef,
    ValueRef,
)
from mbcheck.model import NOT_STATIC, Span

if TYPE_CHECKING:
    from mbcheck.context import PluginContext

#: decorators that make a function a click command (click's and typer's re-exports)
_CLICK_DECORATORS = frozenset(
    {"click.command", "click.group", "click.decorators.command", "click.decorators.group"}
)
#: callables whose result is a click command
_CLICK_MAKERS = frozenset(
    {
        "click.Command", "click.Group", "click.MultiCommand", "click.CommandCollection",
        "click.core.Command", "click.core.Group", "click.core.MultiCommand", "click.core.CommandCollection",
        "typer.main.get_command", "typer.main.get_group",
        *_CLICK_DECORATORS,
    }
)
#: typer's application class, which has no ``.main``
_TYPER = frozenset({"typer.Typer", "typer.main.Typer"})


class CliKind(enum.StrEnum):
    """What a ``return`` of ``get_cli`` gives the registry."""

    CLICK = "click"
    TYPER = "typer"
    MISSING = "missing"
    NONE = "none"
    LITERAL = "literal"
    FUNCTION = "function"


@dataclass(frozen=True)
class CliReturn:
    """A ``return`` of ``get_cli`` (or of a function it returns the result of), what it gives, and why it fails."""

    kind: CliKind
    span: Span
    message: str = ""


def _is_click_function(fact_decorators: tuple[str, ...]) -> bool:
    """``@click.command()``, ``@click.group()``, or ``@<group>.command()``/``.group()`` of a click group."""
    return any(
        d in _CLICK_DECORATORS or (not d.startswith("?") and d.rsplit(".", 1)[-1] in ("command", "group"))
        for d in fact_decorators
    )


def _click_commands(index: Index, module: str) -> list[str]:
    """Module-level functions of ``module`` made commands by ``@click.command()``/``@click.group()`` (for the fix)."""
    out: list[str] = []
    for qualname, ref in index.functions.items():
        if ref.module == module and any(d in _CLICK_DECORATORS for d in ref.fact.decorators):
            out.append(qualname.rsplit(".", 1)[-1])
    return out


def cli_returns(index: Index, function: FunctionRef, depth: int = 0) -> list[CliReturn]:
    """What each ``return`` of ``function`` gives (only the returns it can tell; see the module docstring)."""
    out: list[CliReturn] = []
    fact = function.fact
    fallback = fact.span or Span(function.path)
    for ret in fact.returns:
        span = ret.span or fallback
        written = ret.name or "it"
        if ret.kind is ReturnKind.NONE:
            out.append(CliReturn(
                CliKind.NONE, span,
                f"`{fact.name}()` returns None here: the registry gets no CLI, so `milk bottle run` reports the "
                "bottle \"not found\" and its health check is critical; return a click command",
            ))
        elif ret.kind is ReturnKind.LITERAL:
            value = ret.literal.value if ret.literal is not None else NOT_STATIC
            what = json_type(value) if value is not NOT_STATIC else "literal"
            out.append(CliReturn(
                CliKind.LITERAL, span,
                f"`{fact.name}()` returns a {what}, not a click command: `milk bottle run` calls `.main()` on it",
            ))
        elif ret.kind is ReturnKind.NAME and ret.target is not None:
            found = _named(index, ret.target, written, span)
            if found is not None:
                out.append(found)
        elif ret.kind is ReturnKind.CALL and ret.target is not None:
            callee = index.resolve(ret.target)
            if isinstance(callee, External) and callee.qualname in _CLICK_MAKERS:
                out.append(CliReturn(CliKind.CLICK, span))
            elif isinstance(callee, External) and callee.qualname in _TYPER:
                out.append(CliReturn(
                    CliKind.TYPER, span,
                    f"`{fact.name}()` returns a new `typer.Typer`, which has no `.main`: `milk bottle run` calls "
                    "`.main(args=[name, *args], standalone_mode=False)` on it and fails with AttributeError; "
                    "return `typer.main.get_command(app)`",
                ))
            elif isinstance(callee, FunctionRef) and depth < 4 and callee.fact is not fact:
                out.extend(cli_returns(index, callee, depth + 1))
    return out


def _named(index: Index, target: str, written: str, span: Span) -> CliReturn | None:
    """What ``return <name>`` gives, when it can be told."""
    symbol = index.resolve(target)
    if symbol is None:
        module, _, attr = target.rpartition(".")
        if module in index.modules and index.has_name(module, attr) is False:
            path = index.modules[module][0]
            commands = _click_commands(index, module)
            hint = (
                f"; its click command is `{commands[0]}`: return that" if len(commands) == 1
                else f"; its click commands are {', '.join(f'`{c}`' for c in commands)}" if commands
                else ""
            )
            return CliReturn(
                CliKind.MISSING, span,
                f"`get_cli()` returns `{written}`, but `{module}` ({path}) defines no `{attr}`: `get_cli()` can "
                f"never succeed, so the registry reports the bottle \"not found\" and `milk bottle run` cannot "
                f"load it{hint}",
            )
        return None
    if isinstance(symbol, InstanceRef):
        made = index.resolve(symbol.fact.target)
        if isinstance(made, External) and made.qualname in _TYPER:
            return CliReturn(
                CliKind.TYPER, span,
                f"`get_cli()` returns `{written}`, a `typer.Typer` (made in {symbol.path}), which has no `.main`: "
                "`milk bottle run` calls `.main(args=[name, *args], standalone_mode=False)` on it and fails with "
                f"AttributeError; return `typer.main.get_command({written.rsplit('.', 1)[-1]})`",
            )
        if isinstance(made, External) and made.qualname in _CLICK_MAKERS:
            return CliReturn(CliKind.CLICK, span)
        return None
    if isinstance(symbol, FunctionRef):
        if _is_click_function(symbol.fact.decorators):
            return CliReturn(CliKind.CLICK, span)
        if not symbol.fact.decorators:
            return CliReturn(
                CliKind.FUNCTION, span,
                f"`get_cli()` returns the plain function `{symbol.fact.name}` (not a click command): "
                "`milk bottle run` calls `.main()` on it, which a function does not have",
            )
        return None
    if isinstance(symbol, ValueRef) and symbol.fact.kind in (ReturnKind.NONE, ReturnKind.LITERAL):
        return CliReturn(
            CliKind.LITERAL, span, f"`get_cli()` returns `{written}`, a literal, not a click command"
        )
    if isinstance(symbol, External) and symbol.qualname in _CLICK_MAKERS:
        return None  # returning the class itself: not judged
    if isinstance(symbol, ClassRef):
        return None
    return None


# ---------------------------------------------------------------------------
# get_metadata()


def metadata_problems(plugin: PluginContext, function: FunctionRef) -> list[tuple[Span, str]]:
    """Why the registry cannot use what ``get_metadata()`` returns (see :class:`BottleMetadataInvalid`)."""
    index = plugin.facts.interface.index
    metadata_classes = public_names(plugin, "PluginMetadata")
    out: list[tuple[Span, str]] = []
    fact = function.fact
    fallback = fact.span or Span(function.path)
    for ret in fact.returns:
        span = ret.span or fallback
        if ret.kind is ReturnKind.CALL and ret.target is not None:
            callee = index.resolve(ret.target)
            name = callee.qualname if isinstance(callee, External) else ret.target
            if name in metadata_classes or name.rsplit(".", 1)[-1] == "PluginMetadata":
                out.append((span, (
                    "`get_metadata()` returns a `PluginMetadata` object: the registry merges it with "
                    "`bottle_info |= metadata`, which raises TypeError, so the bottle is invalid (the dunders "
                    "are not read instead); return a dict"
                )))
        elif ret.kind is ReturnKind.NONE:
            out.append((span, "`get_metadata()` returns None: the registry's `bottle_info |= metadata` raises "
                              "TypeError, so the bottle is invalid; return a dict"))
        elif ret.kind is ReturnKind.LITERAL and ret.literal is not None:
            literal = ret.literal
            value = literal.value
            if value is NOT_STATIC:
                continue
            if not isinstance(value, dict):
                out.append((span, f"`get_metadata()` returns a {json_type(value)}, not a dict: the registry's "
                                  "`bottle_info |= metadata` raises TypeError, so the bottle is invalid"))
                continue
            spans = literal.span_map()
            holes = set(literal.holes)
            if "/name" in spans and "/name" not in holes and "name" in value:
                name = value["name"]
                if not isinstance(name, str):
                    out.append((spans["/name"], (
                        f"`get_metadata()` gives `name` = {name!r}, not a string: `get_bottle` calls "
                        "`.lower()` on every bottle's name, so `milk bottle run`, `info` and `health` crash for "
                        "every bottle"
                    )))
                elif not name:
                    out.append((spans["/name"], "`get_metadata()` gives an empty `name`: the registry treats the "
                                                "bottle as invalid"))
            if "version" in value and "/version" not in holes:
                if not value["version"]:
                    out.append((spans.get("/version", span), (
                        f"`get_metadata()` gives `version` = {value['version']!r}: the registry treats the bottle "
                        "as invalid (it needs a non-empty version)"
                    )))
            elif "version" not in value and "/version" not in holes and not literal.open:
                out.append((span, (
                    "`get_metadata()` gives no `version`: its dict is the bottle's metadata (`__version__` is not "
                    "read when `get_metadata` exists), so the registry treats the bottle as invalid; add "
                    "`\"version\": __version__`"
                )))
    return out


# ---------------------------------------------------------------------------
# get_dependencies()


@cache
def _import_names() -> dict[str, tuple[str, ...]]:
    """Distribution (canonical) -> the import names it is the usual provider of."""
    out: dict[str, list[str]] = {}
    for module, value in load_import_map().items():
        if "." in module:
            continue
        first = value if isinstance(value, str) else value[0]
        out.setdefault(canonical(first), []).append(module)
    return {key: tuple(names) for key, names in out.items()}


@cache
def _known_modules() -> frozenset[str]:
    """Import names the map lists (``PIL``, ``yaml``) and the top levels of its dotted ones (``PyQt5``)."""
    return frozenset(module.split(".", 1)[0] for module in load_import_map())


@cache
def _popular() -> frozenset[str]:
    return frozenset(canonical(name) for name in load_popular())


def _registry_name(entry: str) -> str:
    """The module name the registry imports for a ``get_dependencies()`` entry (reg:423-434)."""
    if ">=" in entry:
        return entry.split(">=", 1)[0].strip()
    if "==" in entry:
        return entry.split("==", 1)[0].strip()
    return entry.strip()


def import_name_of(distribution: str) -> str | None:
    """The module a distribution is imported as, when the import map says it differs from the name."""
    names = _import_names().get(canonical(distribution))
    return names[0] if names else None


def _fix(entry: str, module: str | None) -> str:
    """The entry rewritten the way the registry reads it (import name, at most ``>=``/``==``)."""
    try:
        requirement = Requirement(entry)
    except InvalidRequirement:
        return f'"{module}"' if module else ""
    name = module or import_name_of(requirement.name) or requirement.name.replace("-", "_").lower()
    specs = list(requirement.specifier)
    if len(specs) == 1 and specs[0].operator in (">=", "==", "~="):
        operator = "==" if specs[0].operator == "==" else ">="
        return f'"{name}{operator}{specs[0].version}"'
    lowest = [s.version for s in specs if s.operator in (">=", "~=", "==")]
    return f'"{name}>={lowest[0]}"' if lowest else f'"{name}"'


def dependency_problem(entry: str) -> str | None:
    """Why the registry's health check can never import ``entry`` of ``get_dependencies()`` (None: it can)."""
    name = _registry_name(entry)
    lead = (
        f"`{entry}`: the health check strips only `>=`/`==` and imports `{name}`, which"
    )
    if not name or not all(part.isidentifier() for part in name.split(".")):
        try:
            distribution = Requirement(entry).name
        except InvalidRequirement:
            return f"{lead} is not a module name: it always counts as missing, so the bottle's health is critical"
        fix = _fix(entry, import_name_of(distribution) or distribution.replace("-", "_").lower())
        return (f"{lead} is not a module name (list import names, with at most `>=` or `==`): it always counts "
                f"as missing, so the bottle's health is critical; write {fix}")
    top = name.split(".", 1)[0]
    if top in _known_modules():
        return None
    module = import_name_of(name)
    if module is not None and module != name:
        return (f"{lead} is a distribution name: its module is `{module}`, so it always counts as missing and the "
                f"bottle's health is critical; write {_fix(entry, module)}")
    lowered = name.lower()
    if name != lowered and name[0].isupper() and name[1:] == name[1:].lower() and canonical(name) in _popular():
        return (f"{lead} does not exist: module names are case-sensitive and the module is `{lowered}`, so it "
                f"always counts as missing and the bottle's health is critical; write {_fix(entry, lowered)}")
    return None


__all__ = ["CliKind", "CliReturn", "cli_returns", "dependency_problem", "import_name_of", "metadata_problems"]
