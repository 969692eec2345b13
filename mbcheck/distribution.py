"""Which Python files a bottle distribution's build ships: the code an installed bottle has.

A bottle distribution is a project directory: besides its packages it holds
tests, docs, scripts, templates and build output (a stale ``build/lib/`` copy)
that ``pip install`` never puts in site-packages, so the registry can never
import them. :func:`shipped_predicate` reads the build configuration from
``pyproject.toml`` and answers, for each ``.py`` file of the listing, whether
the wheel contains it, following each backend's documented rules, computed
on the listing (no build runs, nothing is imported):

* setuptools (``setuptools.build_meta``, and the default without a
  ``[build-system]``): ``[tool.setuptools] packages = [...]`` (with
  ``package-dir``) or ``[tool.setuptools.packages.find]`` (``where``,
  ``include``, ``exclude``, ``namespaces`` — true by default from
  ``pyproject.toml``, so every directory below ``where`` is a package; a
  ``*__pycache__`` directory never is), plus ``py-modules``; without either,
  setuptools' automatic discovery: ``src/`` when it exists (every package in
  it), else the top-level packages and modules minus its reserved names
  (``tests``, ``docs``, ``build``, ``examples``, ...);
* hatchling: ``[tool.hatch.build.targets.wheel] packages`` (or
  ``only-include``), else ``src/<name>`` or ``<name>`` from the project name;
* flit: ``[tool.flit.module] name`` (or the project name), in ``src/`` or at
  the top, a package or a module;
* poetry: ``[tool.poetry] packages = [{include, from}]``, else the project
  name.

Another backend, or a configuration this module cannot read, gives None: the
whole directory is analysed, as before.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterable, Mapping
from typing import Any

#: top-level names setuptools' automatic flat-layout discovery never takes for
#: packages or modules (``setuptools.discovery.FlatLayoutPackageFinder.DEFAULT_EXCLUDE``
#: and ``FlatLayoutModuleFinder.DEFAULT_EXCLUDE``)
_FLAT_EXCLUDE = (
    "ci", "bin", "debian", "doc", "docs", "documentation", "manpages", "news", "newsfragments", "changelog",
    "test", "tests", "unit_test", "unit_tests", "example", "examples", "scripts", "tools", "util", "utils",
    "python", "build", "dist", "venv", "env", "requirements", "tasks", "fabfile", "site_scons", "benchmark",
    "benchmarks", "exercise", "exercises", "htmlcov", "setup", "conftest", "noxfile", "pavement", "[._]*",
)

Predicate = Callable[[str], bool]


def _strings(value: Any) -> list[str] | None:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    return None


def _directories(files: Iterable[str]) -> set[str]:
    """Every directory (relative POSIX path, no trailing slash) holding a listed file."""
    out: set[str] = set()
    for rel in files:
        parts = rel.split("/")[:-1]
        for end in range(1, len(parts) + 1):
            out.add("/".join(parts[:end]))
    return out


def _join(base: str, rel: str) -> str:
    base = base.strip("/").removeprefix("./").strip("/")
    base = "" if base == "." else base
    return f"{base}/{rel}" if base else rel


def _find_packages(
    files: list[str], where: str, include: list[str], exclude: list[str], namespaces: bool
) -> dict[str, str]:
    """``setuptools.find_namespace_packages``/``find_packages`` on the listing: package -> directory."""
    directories = _directories(files)
    names = set(files)
    root = where.strip("/").removeprefix("./").strip("/")
    root = "" if root == "." else root
    prefix = f"{root}/" if root else ""
    exclude = [*exclude, "ez_setup", "*__pycache__"]
    found: dict[str, str] = {}
    candidates = sorted(d for d in directories if d.startswith(prefix) and d != root)
    for directory in candidates:
        rel = directory[len(prefix):]
        parts = rel.split("/")
        if any("." in part for part in parts):
            continue
        package = ".".join(parts)
        # a plain finder only descends through packages (directories with __init__.py)
        if not namespaces and not all(
            f"{prefix}{'/'.join(parts[:end])}/__init__.py" in names for end in range(1, len(parts) + 1)
        ):
            continue
        if any(fnmatch.fnmatchcase(package, pattern) for pattern in exclude):
            continue
        pruned = any(
            f"{'.'.join(parts[:end])}*" in exclude or f"{'.'.join(parts[:end])}.*" in exclude
            for end in range(1, len(parts))
        )
        if pruned:
            continue
        if any(fnmatch.fnmatchcase(package, pattern) for pattern in include):
            found[package] = directory
    return found


def _package_files(packages: Mapping[str, str]) -> Predicate:
    """Files directly in a package's directory (setuptools ships each package's own modules)."""
    directories = set(packages.values())
    return lambda rel: rel.rsplit("/", 1)[0] in directories if "/" in rel else "" in directories


def _trees(roots: Iterable[str], modules: Iterable[str] = ()) -> Predicate:
    """Files under any of the directories ``roots`` (hatch, flit, poetry ship whole trees), or the ``modules``."""
    prefixes = tuple(f"{r.strip('/')}/" for r in roots if r.strip("/"))
    singles = frozenset(modules)
    return lambda rel: rel.startswith(prefixes) or rel in singles


def _setuptools(files: list[str], data: Mapping[str, Any]) -> Predicate | None:
    tool = data.get("tool", {}).get("setuptools", {}) if isinstance(data.get("tool"), dict) else {}
    tool = tool if isinstance(tool, dict) else {}
    package_dir = tool.get("package-dir", {})
    package_dir = package_dir if isinstance(package_dir, dict) else {}
    base = str(package_dir.get("", ""))
    modules = [_join(base, f"{m.replace('.', '/')}.py") for m in _strings(tool.get("py-modules")) or []]
    packages = tool.get("packages")
    if isinstance(packages, list):
        names = _strings(packages)
        if names is None:
            return None
        dirs: dict[str, str] = {}
        for name in names:
            top = name.split(".", 1)[0]
            if top in package_dir:
                rest = name.split(".", 1)[1].replace(".", "/") if "." in name else ""
                dirs[name] = _join(str(package_dir[top]), rest) if rest else str(package_dir[top]).strip("/")
            else:
                dirs[name] = _join(base, name.replace(".", "/"))
        in_packages = _package_files(dirs)
        return lambda rel: in_packages(rel) or rel in modules
    find = packages.get("find") if isinstance(packages, dict) else None
    if isinstance(find, dict):
        wheres = _strings(find.get("where", ["."])) or ["."]
        include = _strings(find.get("include", ["*"])) or ["*"]
        exclude = _strings(find.get("exclude", [])) or []
        namespaces = find.get("namespaces", True) is not False
        dirs = {}
        for where in wheres:
            dirs.update(_find_packages(files, where, include, exclude, namespaces))
        in_packages = _package_files(dirs)
        return lambda rel: in_packages(rel) or rel in modules
    if packages is not None:
        return None
    if modules:
        return lambda rel: rel in modules
    # automatic discovery: src-layout, else flat-layout
    if any(rel.startswith("src/") for rel in files):
        dirs = _find_packages(files, "src", ["*"], [], True)
        top_modules = {rel for rel in files if rel.startswith("src/") and rel.count("/") == 1 and rel.endswith(".py")}
        in_packages = _package_files(dirs)
        return lambda rel: in_packages(rel) or rel in top_modules
    exclude = [*_FLAT_EXCLUDE, *(f"{name}.*" for name in _FLAT_EXCLUDE)]
    dirs = _find_packages(files, ".", ["*"], exclude, False)
    top_modules = {
        rel for rel in files
        if "/" not in rel and rel.endswith(".py") and not any(fnmatch.fnmatchcase(rel[:-3], p) for p in _FLAT_EXCLUDE)
    }
    in_packages = _package_files(dirs)
    return lambda rel: in_packages(rel) or rel in top_modules


def _project_module(data: Mapping[str, Any]) -> str | None:
    project = data.get("project")
    name = project.get("name") if isinstance(project, dict) else None
    return name.replace("-", "_").replace(".", "_").lower() if isinstance(name, str) else None


def _layout(files: list[str], module: str) -> Predicate | None:
    """``src/<module>``, ``<module>`` (a package tree) or ``<module>.py``, as hatch, flit and poetry look for it."""
    names = set(files)
    for base in (f"src/{module}", module):
        if f"{base}/__init__.py" in names:
            return _trees([base])
    for single in (f"src/{module}.py", f"{module}.py"):
        if single in names:
            return _trees([], [single])
    return None


def _hatch(files: list[str], data: Mapping[str, Any]) -> Predicate | None:
    tool = data.get("tool")
    hatch = tool.get("hatch") if isinstance(tool, dict) else None
    build = hatch.get("build") if isinstance(hatch, dict) else None
    targets = build.get("targets") if isinstance(build, dict) else None
    wheel = targets.get("wheel") if isinstance(targets, dict) else None
    if isinstance(wheel, dict):
        for key in ("packages", "only-include"):
            if key in wheel:
                roots = _strings(wheel[key])
                if roots is None:
                    return None
                return _trees([r for r in roots if not r.endswith(".py")], [r for r in roots if r.endswith(".py")])
    module = _project_module(data)
    return _layout(files, module) if module else None


def _flit(files: list[str], data: Mapping[str, Any]) -> Predicate | None:
    tool = data.get("tool")
    flit = tool.get("flit") if isinstance(tool, dict) else None
    module_table = flit.get("module") if isinstance(flit, dict) else None
    name = module_table.get("name") if isinstance(module_table, dict) else None
    module = name if isinstance(name, str) else _project_module(data)
    return _layout(files, module) if module else None


def _poetry(files: list[str], data: Mapping[str, Any]) -> Predicate | None:
    tool = data.get("tool")
    poetry = tool.get("poetry") if isinstance(tool, dict) else None
    packages = poetry.get("packages") if isinstance(poetry, dict) else None
    if isinstance(packages, list):
        roots: list[str] = []
        singles: list[str] = []
        for item in packages:
            if not isinstance(item, dict) or not isinstance(item.get("include"), str):
                return None
            path = _join(str(item.get("from", "")), item["include"])
            (singles if path.endswith(".py") else roots).append(path)
        return _trees(roots, singles)
    name = poetry.get("name") if isinstance(poetry, dict) else None
    module = name.replace("-", "_").lower() if isinstance(name, str) else _project_module(data)
    return _layout(files, module) if module else None


_BACKENDS: Mapping[str, Callable[[list[str], Mapping[str, Any]], Predicate | None]] = {
    "setuptools.build_meta": _setuptools,
    "setuptools.build_meta:__legacy__": _setuptools,
    "hatchling.build": _hatch,
    "flit_core.buildapi": _flit,
    "poetry.core.masonry.api": _poetry,
}


def shipped_predicate(files: list[str], data: Any) -> Predicate | None:
    """Whether the build of the distribution whose ``pyproject.toml`` is ``data`` ships a ``.py`` file (None: cannot tell)."""
    if not isinstance(data, dict):
        return None
    system = data.get("build-system")
    backend = system.get("build-backend") if isinstance(system, dict) else None
    if backend is None:
        backend = "setuptools.build_meta:__legacy__"
    reader = _BACKENDS.get(str(backend))
    if reader is None:
        return None
    try:
        return reader(files, data)
    except (AttributeError, TypeError, ValueError):
        return None


def outside(files: Iterable[str], ships: Predicate) -> tuple[str, ...]:
    """The ``.py`` files the build does not ship, collapsed: a directory (``tests/``) when none of its files ship."""
    files = list(files)
    python = [rel for rel in files if rel.endswith(".py")]
    left = sorted(rel for rel in python if not ships(rel))
    if not left:
        return ()
    shipped_dirs = _directories(rel for rel in python if ships(rel))
    out: list[str] = []
    for rel in left:
        parts = rel.split("/")
        collapsed = rel
        for end in range(1, len(parts)):
            directory = "/".join(parts[:end])
            if directory not in shipped_dirs:
                collapsed = directory + "/"
                break
        if collapsed not in out:
            out.append(collapsed)
    return tuple(out)


__all__ = ["outside", "shipped_predicate"]
