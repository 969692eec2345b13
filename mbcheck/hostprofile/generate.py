"""A host profile generated from a MilkBottle tree, read statically.

:func:`generate` turns a located tree (:mod:`mbcheck.hostprofile.tree`) into
the JSON document ``schemas/host-profile.schema.json`` describes:

* ``versions``: the three versions the host states: the distribution's
  (``pyproject.toml``/``PKG-INFO``/``METADATA``), the package's ``__version__``
  and ``MilkBottleConfig.version``'s default in ``config.py``, each with where
  it is written; ``milkbottle_version`` is the one the host's plugin
  compatibility check compares ``min/max_milkbottle_version`` with: the config
  version (then the package's, then the distribution's, when the host states
  no config version);
* ``requires_python`` and the ``python_versions`` it admits, up to the newest
  Python the standard-library tables describe;
* ``requirements``: what the distribution installs (its dependencies, extras
  left out), and ``environment``: the third-party modules the host imports
  when ``milk`` starts (the import closure of the console script's module) and
  when a plugin imports ``milkbottle.plugin_system`` (its closure), mapped to
  distributions, with the ones no requirement installs listed apart;
* ``public_api``: see :func:`public_api`;
* ``plugin_interface``: the methods of the ``PluginInterface`` Protocol;
* ``bottles``: the entry-point group and modules directory the registry reads;
* ``source``: the commit, the layout, the date and the command.
"""

from __future__ import annotations

import ast
import os
import time
from collections import deque
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet

from mbcheck.hostprofile.source import (
    ModuleIndex,
    assigned_value,
    bound_names,
    find_class,
    imports_of,
    literal_all,
    module_assignment,
    string_constant,
)
from mbcheck.hostprofile.tree import PACKAGE, HostProfileError, HostTree, Stated, git_commit, locate

#: where the host states each version: module, class (None: module level), variable
_PACKAGE_VERSION = (PACKAGE, "__version__")
_CONFIG_VERSION = (f"{PACKAGE}.config", "MilkBottleConfig", "version")
#: the module whose import a plugin's ``from milkbottle.plugin_system import ...`` runs
PLUGIN_SYSTEM = f"{PACKAGE}.plugin_system"
#: the console script's module when the distribution declares none
DEFAULT_STARTUP = f"{PACKAGE}.cli"
#: the registry and its constants, with what the host does when they cannot be read
REGISTRY = f"{PACKAGE}.registry"
DEFAULT_GROUP = "milkbottle.bottles"
DEFAULT_MODULES_DIR = "modules"
DEFAULT_CLI_FILE = "cli.py"
#: the Protocol class whose methods are the plugin interface, and the modules it may be in
INTERFACE_CLASS = "PluginInterface"
INTERFACE_MODULES = (f"{PLUGIN_SYSTEM}.core", PLUGIN_SYSTEM)
#: test modules and directories: never public API
_TEST_PARTS = frozenset({"tests", "test", "testing_fixtures", "conftest"})


def _is_public_module(name: str, modules_dir: str) -> bool:
    """A module plugins may import: no part private, no test module, not a bottle."""
    parts = name.split(".")[1:]
    if parts and parts[0] == modules_dir:
        return False  # the in-tree bottles: not the host's API
    for part in parts:
        if part.startswith("_") or part in _TEST_PARTS or part.startswith("test_") or part.endswith("_test"):
            return False
    return True


# --------------------------------------------------------------------------- versions


def _class_field_default(index: ModuleIndex, module: str, cls: str, field: str) -> tuple[str, int] | None:
    node = find_class(index, module, cls)
    if node is None:
        return None
    found: tuple[str, int] | None = None
    for statement in node.body:
        value = assigned_value(statement, field)
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            found = (value.value, statement.lineno)
    return found


def _versions(tree: HostTree, index: ModuleIndex) -> dict[str, Stated]:
    out: dict[str, Stated] = {}
    if tree.distribution_version is not None:
        out["distribution"] = tree.distribution_version
    package = string_constant(index, *_PACKAGE_VERSION)
    if package is not None:
        out["package"] = Stated(package[0], f"{_file(tree, index, PACKAGE)}:{package[1]}")
    config = _class_field_default(index, *_CONFIG_VERSION)
    if config is not None:
        out["config"] = Stated(config[0], f"{_file(tree, index, _CONFIG_VERSION[0])}:{config[1]}")
    return out


def _file(tree: HostTree, index: ModuleIndex, module: str) -> str:
    found = index.modules.get(module)
    return tree.relative(found.path) if found is not None and found.path is not None else module


# --------------------------------------------------------------------------- python


def _newest_described_minor() -> tuple[int, int]:
    """The newest Python the version tables describe (their last added/removed release): the
    standard-library table's, up to the newest release the syntax table knows (the generated
    standard-library table also carries what typeshed says of releases still in development)."""
    from mbcheck.checks.compat.tables import stdlib_members, stdlib_modules, syntax_features

    released = max(f.version for f in syntax_features().values())
    newest = (3, 11)
    for table in (stdlib_modules(), stdlib_members()):
        for entry in table.values():
            for minor in (entry.added, entry.removed):
                if minor is not None and newest < minor <= released:
                    newest = minor
    return newest


def _python_versions(requires_python: str) -> list[str]:
    from mbcheck.checks.compat.facts import BASELINE, admits

    try:
        spec = SpecifierSet(requires_python)
    except InvalidSpecifier:
        return []
    newest = _newest_described_minor()
    return [f"3.{minor}" for minor in range(BASELINE[1], newest[1] + 1) if admits(spec, (3, minor))]


# --------------------------------------------------------------------------- environment


def _startup_module(tree: HostTree, index: ModuleIndex) -> str:
    """The module the ``milk`` console script runs (``[project.scripts]``), else ``milkbottle.cli``."""
    for target in sorted(tree.entry_points.get("console_scripts", {}).values()):
        module = target.partition(":")[0].strip()
        if module in index.modules:
            return module
    return DEFAULT_STARTUP


def _closure(index: ModuleIndex, root: str, tree: HostTree) -> dict[str, str]:
    """Third-party top-level modules importing ``root`` imports (statically), each with its first site."""
    from mbcheck.checks.deps.facts import STDLIB_NAMES

    found: dict[str, str] = {}
    seen: set[str] = set()
    queue: deque[str] = deque()

    def enqueue(module: str) -> None:
        parts = module.split(".")
        for cut in range(1, len(parts) + 1):  # importing a.b.c runs a, then a.b, then a.b.c
            name = ".".join(parts[:cut])
            if name in index.modules and name not in seen:
                seen.add(name)
                queue.append(name)

    enqueue(root)
    while queue:
        current = queue.popleft()
        for site in imports_of(index, current):
            top = site.module.split(".")[0]
            if top == PACKAGE:
                enqueue(site.module)
                for name in site.names:  # ``from package import submodule``
                    enqueue(f"{site.module}.{name}")
            elif top != "__future__" and top.lower() not in STDLIB_NAMES and top not in found:
                found[top] = f"{_file(tree, index, current)}:{site.line}"
    return found


def _requirement_names(requirements: Iterable[str]) -> set[str]:
    from mbcheck.checks.deps.names import canonical

    out = set()
    for text in requirements:
        try:
            out.add(canonical(Requirement(text).name))
        except InvalidRequirement:
            continue
    return out


def _environment(tree: HostTree, index: ModuleIndex) -> dict[str, Any]:
    from mbcheck.checks.deps.imports import resolve_import

    roots = {"startup": _startup_module(tree, index), "plugin_system": PLUGIN_SYSTEM}
    declared = _requirement_names(tree.requirements)
    imports: dict[str, dict[str, Any]] = {}
    for label, root in roots.items():
        for top, where in _closure(index, root, tree).items():
            entry = imports.get(top)
            if entry is None:
                resolution = resolve_import(top, environment={})
                distribution = resolution.distribution if resolution is not None else top
                entry = imports[top] = {
                    "distribution": distribution,
                    "declared": distribution in declared,
                    "imported_by": [],
                    "first_import": where,
                }
            entry["imported_by"].append(label)
    for entry in imports.values():
        entry["imported_by"] = sorted(entry["imported_by"])
    undeclared = sorted({e["distribution"] for e in imports.values() if not e["declared"]})
    return {
        "roots": roots,
        "imports": {top: imports[top] for top in sorted(imports)},
        "undeclared": undeclared,
    }


# --------------------------------------------------------------------------- public API


def _public_names(index: ModuleIndex, module: str, public: set[str], stack: tuple[str, ...] = ()) -> list[str]:
    """The names a plugin may import from ``module`` (see :func:`public_api`)."""
    own, imported = bound_names(index, module)
    declared = literal_all(index, module)
    names: set[str] = {n for n in own if n.startswith("__") and n.endswith("__") and n != "__all__"}
    if declared is not None:
        names.update(declared)
    else:
        names.update(n for n in own if not n.startswith("_"))
        for site, bound in imported:
            if site.module.split(".")[0] != PACKAGE or bound.startswith("_"):
                continue  # only the host's own names are re-exports
            if bound == "*":
                if site.module in index.modules and site.module not in stack:
                    names.update(n for n in _public_names(index, site.module, public, (*stack, module))
                                 if not n.startswith("_"))
                continue
            names.add(bound)
    prefix = f"{module}."
    names.update(sub[len(prefix):] for sub in public if sub.startswith(prefix) and "." not in sub[len(prefix):])
    return sorted(names)


def public_api(index: ModuleIndex, modules_dir: str) -> dict[str, list[str]]:
    """Every public module of the host and the names a plugin may import from it.

    The public modules are ``milkbottle`` and every module under it with no
    part starting with ``_``, no test module (``tests``, ``test_*``,
    ``*_test``, ``conftest``) and not inside the bottles' directory. A module's
    names are its ``__all__`` when it writes one as literal strings, else its
    public top-level names: ``def``, ``class`` and assignments not starting with
    ``_``, and names imported from the host's own modules (``from .x import Y``,
    ``from milkbottle.x import Y``: re-exports); names imported from elsewhere
    (``typing``, ``rich``) are not the host's API. Both ways add the module's
    metadata dunders (``__version__``, ``__author__``, ...) and its public
    submodules (``from milkbottle.plugin_system import core`` works).
    """
    public = {name for name in index.modules if _is_public_module(name, modules_dir)}
    return {module: _public_names(index, module, public) for module in sorted(public)}


# --------------------------------------------------------------------------- interface and bottles


def _parameters(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    arguments = function.args
    positional = [a.arg for a in (*arguments.posonlyargs, *arguments.args)]
    return [*positional[1:], *(a.arg for a in arguments.kwonlyargs)]  # ``self`` is not passed


def plugin_interface(index: ModuleIndex) -> tuple[dict[str, dict[str, Any]], str]:
    """The ``PluginInterface`` Protocol's methods (name -> async, parameters) and the module it is in."""
    for module in INTERFACE_MODULES:
        node = find_class(index, module, INTERFACE_CLASS)
        if node is None:
            continue
        methods: dict[str, dict[str, Any]] = {}
        for statement in node.body:
            if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef) and not statement.name.startswith("_"):
                methods[statement.name] = {
                    "async": isinstance(statement, ast.AsyncFunctionDef),
                    "params": _parameters(statement),
                }
        return methods, module
    raise HostProfileError(f"no class {INTERFACE_CLASS} in {' or '.join(INTERFACE_MODULES)}: is this MilkBottle?")


def _path_tail(node: ast.expr | None) -> str | None:
    """``Path(__file__).parent / "modules"`` -> ``modules`` (the last literal of a ``/`` chain)."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        right = node.right
        if isinstance(right, ast.Constant) and isinstance(right.value, str):
            return right.value
    return None


def _cli_file(index: ModuleIndex) -> str | None:
    """The file a local bottle directory must hold: ``item / "cli.py"`` in the registry."""
    tree = index.tree(REGISTRY)
    if tree is None:
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            right = node.right
            if isinstance(right, ast.Constant) and isinstance(right.value, str) and right.value.endswith(".py"):
                return right.value
    return None


def bottles(tree: HostTree, index: ModuleIndex) -> dict[str, Any]:
    """Where the registry finds bottles: its entry-point group and modules directory."""
    group = string_constant(index, REGISTRY, "ENTRY_POINT_GROUP")
    modules_dir = _path_tail(module_assignment(index, REGISTRY, "MODULES_PATH"))
    cli_file = _cli_file(index)
    registry = _file(tree, index, REGISTRY)
    group_name = group[0] if group is not None else DEFAULT_GROUP
    out: dict[str, Any] = {
        "entry_point_groups": [group_name],
        "modules_dir": f"{PACKAGE}/{modules_dir or DEFAULT_MODULES_DIR}",
        "cli_file": cli_file or DEFAULT_CLI_FILE,
        "read_from": {
            "entry_point_groups": f"{registry}:{group[1]}" if group is not None else "default",
            "modules_dir": f"{registry} MODULES_PATH" if modules_dir else "default",
            "cli_file": registry if cli_file else "default",
        },
    }
    registered = tree.entry_points.get(group_name)
    if registered:
        out["registered"] = dict(sorted(registered.items()))
    return out


# --------------------------------------------------------------------------- the profile


def generated_date() -> str:
    """Today (UTC), or the date of ``SOURCE_DATE_EPOCH`` when set (reproducible output)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    seconds = int(epoch) if epoch.isdigit() else time.time()
    return time.strftime("%Y-%m-%d", time.gmtime(seconds))


def generate(
    path: Path,
    *,
    commit: str | None = None,
    name: str | None = None,
    command: str | None = None,
    generator: str = "",
) -> dict[str, Any]:
    """The host profile of the MilkBottle tree at ``path`` (never imported)."""
    tree = locate(path)
    index = ModuleIndex(tree.package_dir, PACKAGE)
    versions = _versions(tree, index)
    used = next((key for key in ("config", "package", "distribution") if key in versions), None)
    if used is None:
        raise HostProfileError(f"{path}: the host states no version (pyproject.toml, __version__ or MilkBottleConfig.version)")
    version = versions[used].value
    commit = commit or git_commit(tree.root)
    requires_python = tree.requires_python.value if tree.requires_python is not None else ""
    interface, interface_module = plugin_interface(index)
    bottle_rules = bottles(tree, index)
    modules_dir = bottle_rules["modules_dir"].split("/", 1)[1]
    environment = _environment(tree, index)
    profile: dict[str, Any] = {
        "$schema": "../../schemas/host-profile.schema.json",
        "name": name or (f"milkbottle-{version}-{commit[:7]}" if commit else f"milkbottle-{version}"),
        "source": {
            "commit": commit,
            "layout": tree.layout,
            "generated": generated_date(),
            "generator": generator,
            "command": command or "",
        },
        "milkbottle_version": version,
        "milkbottle_version_from": used,
        "versions": {key: stated.value for key, stated in versions.items()},
        "version_sources": {key: stated.where for key, stated in versions.items()},
        "requires_python": requires_python,
        "python_versions": _python_versions(requires_python),
        "requirements": list(tree.requirements),
        "requirements_from": tree.requirements_from,
        "environment": environment,
        "public_api": public_api(index, modules_dir),
        "plugin_interface": interface,
        "plugin_interface_from": f"{_file(tree, index, interface_module)} {INTERFACE_CLASS}",
        "bottles": bottle_rules,
    }
    if index.unreadable:
        profile["unreadable"] = sorted(set(index.unreadable))
    return profile


def render(profile: Mapping[str, Any]) -> str:
    """The profile as the JSON text mbcheck writes (stable key order, one trailing newline)."""
    import json

    return json.dumps(profile, indent=2, ensure_ascii=False) + "\n"


__all__ = ["generate", "generated_date", "plugin_interface", "public_api", "render"]
