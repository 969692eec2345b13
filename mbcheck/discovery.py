"""Paths -> plugin roots, and a plugin root -> its files. Pure functions over the file system.

A PATH may be a plugin directory (``plugin.yaml`` or ``__init__.py``), a
directory of plugins, a bottle distribution (``pyproject.toml`` with
``milkbottle.bottles`` entry points), an in-tree bottle (a directory of the
host's ``milkbottle/modules/`` holding a ``cli.py``, which the registry imports
as ``milkbottle.modules.<dir>``) or the ``modules`` directory holding them, an
archive, or single files (as pre-commit passes them), each mapped to its
plugin root.
"""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from mbcheck.archive.formats import has_archive_name
from mbcheck.model import Finding, PluginKind, Span
from mbcheck.rules.core import SymlinkOutsideRoot

#: directories no import statement reaches (their names are not identifiers): version
#: control and tool caches. Not listed, not digested; a symbolic link inside the plugin
#: that points into one is followed under its own name, like any linked directory.
CACHE_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", ".mypy_cache", ".pytest_cache", ".ruff_cache",
        ".mbcheck_cache", ".hypothesis", ".idea", ".vscode",
    }
)
#: virtual environments (and any directory holding a ``pyvenv.cfg``): listed and
#: digested, not analysed (thousands of third-party files), reported as not analysed
ENV_DIRS = frozenset({".venv", "venv", ".tox", ".nox"})
#: build output and other generated directories: listed, digested and analysed like
#: any other (``from .build import helper`` works); never taken for a plugin of their own
BUILD_DIRS = frozenset({"build", "dist", "node_modules", ".eggs", "__pycache__"})
#: directories never searched for plugins of their own
SKIP_DIRS = CACHE_DIRS | ENV_DIRS | BUILD_DIRS
#: files reached through symbolic links to directories, at most (links to links to the
#: same directory could otherwise list it an exponential number of times)
MAX_LINKED_FILES = 20_000


@dataclass(frozen=True)
class PluginTarget:
    root: Path
    kind: PluginKind
    display: str
    package: str
    #: files to report on (pre-commit passes single files); None = every file
    only: frozenset[str] | None = None
    #: set when the plugin comes from an archive
    archive: Path | None = None
    #: a file's source given instead of its bytes on disk (``lint -`` with ``--stdin-filename``): (path, bytes)
    stdin: tuple[str, bytes] | None = None
    #: files whose bytes come from memory instead of the disk (an editor's unsaved buffers,
    #: a fix run's edited text): (path, bytes) pairs; every file is still listed and reported on
    overlay: tuple[tuple[str, bytes], ...] = ()


@dataclass(frozen=True)
class Discovery:
    targets: tuple[PluginTarget, ...]
    #: inputs that cannot be used at all (missing path, nothing found)
    errors: tuple[str, ...] = ()
    #: single files given that belong to no plugin (skipped: pre-commit passes every file)
    unplaced: tuple[str, ...] = ()

    def nothing_to_check(self) -> str | None:
        """Why the run has nothing to check at all (every input unusable), with a hint; None otherwise."""
        if self.targets:
            return None
        if self.errors:
            return self.errors[-1]
        if self.unplaced:
            shown = ", ".join(self.unplaced[:3]) + (", ..." if len(self.unplaced) > 3 else "")
            return (
                f"{shown}: not part of any MilkBottle plugin (no plugin.yaml, package __init__.py or bottle "
                "pyproject.toml above it); give the plugin's directory, e.g. `mbcheck lint path/to/plugin`"
            )
        return "no path to check"


def display_path(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix() or "."
    except ValueError:
        return path.as_posix()


def is_archive(path: Path) -> bool:
    """Whether ``path``'s name says it is a plugin archive."""
    return has_archive_name(path.name)


def bottle_entry_points(pyproject: Path) -> dict[str, str] | None:
    """``milkbottle.bottles`` entry points of a distribution, or None."""
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    project = data.get("project")
    if not isinstance(project, dict):
        return None
    groups = project.get("entry-points")
    if not isinstance(groups, dict):
        return None
    bottles = groups.get("milkbottle.bottles")
    if not isinstance(bottles, dict) or not bottles:
        return None
    return {str(k): str(v) for k, v in bottles.items()}


#: the host package whose ``modules/`` directory the bottle registry scans
HOST_PACKAGE = "milkbottle"
#: the directory of the host package the registry imports local bottles from
BOTTLES_DIRECTORY = "modules"
#: the file that makes a directory of ``milkbottle/modules/`` a bottle (the registry's test)
LOCAL_BOTTLE_MARKER = "cli.py"


def is_modules_dir(path: Path) -> bool:
    """Whether ``path`` is the host's ``milkbottle/modules/`` directory (it needs no ``__init__.py``).

    The registry scans ``Path(milkbottle.__file__).parent / "modules"``: the
    directory is named ``modules`` and its parent is the ``milkbottle`` package.
    """
    parent = path.parent
    return path.name == BOTTLES_DIRECTORY and parent.name == HOST_PACKAGE and (parent / "__init__.py").is_file()


def is_local_bottle_dir(path: Path) -> bool:
    """Whether the bottle registry loads ``path`` as an in-tree bottle.

    The registry takes every ``item.is_dir() and (item / "cli.py").exists()``
    of ``milkbottle/modules/`` and imports ``milkbottle.modules.<item.name>``
    (the package, not ``cli.py``); ``__init__.py`` is not required.
    """
    return path.is_dir() and is_modules_dir(path.parent) and (path / LOCAL_BOTTLE_MARKER).exists()


def local_bottle_package(path: Path) -> str:
    """The module the registry imports for the in-tree bottle at ``path``."""
    return f"{HOST_PACKAGE}.modules.{path.name}"


def _is_plugin_dir(path: Path) -> bool:
    return (path / "plugin.yaml").is_file() or (path / "__init__.py").is_file()


def in_tree_bottles_of(root: Path) -> list[Path]:
    """The in-tree bottles a distribution at ``root`` ships (``[src/]milkbottle/modules/<dir>/cli.py``)."""
    out: list[Path] = []
    for base in (root, root / "src"):
        modules = base / HOST_PACKAGE / BOTTLES_DIRECTORY
        if not is_modules_dir(modules):
            continue
        try:
            out.extend(child for child in sorted(modules.iterdir()) if is_local_bottle_dir(child))
        except OSError:
            continue
    return out


def _is_bottle_dir(path: Path) -> bool:
    """A bottle distribution: ``milkbottle.bottles`` entry points, or the host's own tree with in-tree bottles."""
    pyproject = path / "pyproject.toml"
    return pyproject.is_file() and (bottle_entry_points(pyproject) is not None or bool(in_tree_bottles_of(path)))


def _target(root: Path, only: frozenset[str] | None = None) -> PluginTarget:
    if is_local_bottle_dir(root):
        return PluginTarget(root, PluginKind.BOTTLE, display_path(root), local_bottle_package(root), only)
    if _is_bottle_dir(root) and not (root / "plugin.yaml").is_file():
        eps = bottle_entry_points(root / "pyproject.toml") or {}
        first = next(iter(eps.values()), "") or (HOST_PACKAGE if in_tree_bottles_of(root) else "")
        package = first.split(":", 1)[0].split(".", 1)[0] or root.name
        return PluginTarget(root, PluginKind.BOTTLE, display_path(root), package, only)
    return PluginTarget(root, PluginKind.PLUGIN, display_path(root), root.name, only)


def plugin_root_of(file: Path) -> Path | None:
    """The plugin (or bottle distribution) a single file belongs to."""
    start = file.resolve().parent
    ancestors = (start, *start.parents)
    for directory in ancestors:
        if (directory / "plugin.yaml").is_file():
            return directory
    for directory in ancestors:
        if _is_bottle_dir(directory):
            return directory
    for directory in ancestors:
        if is_local_bottle_dir(directory):
            return directory
    # the topmost package above the nearest one (sub-directories may be
    # namespace packages without an __init__.py)
    package_root: Path | None = None
    for directory in ancestors:
        if (directory / "__init__.py").is_file():
            package_root = directory
        elif package_root is not None:
            break
    return package_root


def discover(paths: Iterable[Path]) -> Discovery:
    targets: dict[Path, PluginTarget] = {}
    singles: dict[Path, set[str]] = {}
    errors: list[str] = []
    unplaced: list[str] = []
    for path in paths:
        if not path.exists() and not path.is_symlink():
            errors.append(f"{path}: no such file or directory")
            continue
        if path.is_file():
            if is_archive(path):
                resolved = path.resolve()
                targets[resolved] = PluginTarget(
                    resolved, PluginKind.PLUGIN, display_path(path), path.name.split(".", 1)[0], archive=resolved
                )
                continue
            root = plugin_root_of(path)
            if root is None:
                unplaced.append(path.as_posix())  # not part of any plugin (pre-commit passes every file)
                continue
            singles.setdefault(root, set()).add(path.resolve().relative_to(root).as_posix())
            continue
        if not path.is_dir():
            errors.append(f"{path}: not a file or directory")
            continue
        directory = path.resolve()
        if is_local_bottle_dir(directory) or _is_plugin_dir(directory) or _is_bottle_dir(directory):
            targets[directory] = _target(directory)
            continue
        try:
            children = sorted(directory.iterdir())
        except OSError as exc:
            errors.append(f"{path}: cannot read directory: {exc.strerror or exc}")
            continue
        found = [
            child
            for child in children
            if child.is_dir() and not child.name.startswith(".") and child.name not in SKIP_DIRS
            and (_is_plugin_dir(child) or _is_bottle_dir(child) or is_local_bottle_dir(child))
        ]
        found += [child for child in children if child.is_file() and is_archive(child)]
        if is_modules_dir(directory):
            # the registry loads only the sub-directories with a cli.py from here
            found = [child for child in children if is_local_bottle_dir(child)]
        if not found:
            errors.append(
                f"{path}: no MilkBottle plugin found (no plugin.yaml, __init__.py, bottle pyproject.toml "
                "or milkbottle/modules/<bottle>/cli.py)" + _hint_below(path, directory, children)
            )
        for child in found:
            resolved = child.resolve()
            if child.is_file():
                targets[resolved] = PluginTarget(
                    resolved, PluginKind.PLUGIN, display_path(child), child.name.split(".", 1)[0], archive=resolved
                )
            else:
                targets[resolved] = _target(resolved)
    for root, files in singles.items():
        if root in targets and targets[root].only is None:
            continue
        targets[root] = _target(root, frozenset(files))
    ordered = sorted(targets.values(), key=lambda t: t.display)
    return Discovery(tuple(ordered), tuple(errors), tuple(unplaced))


def _holds_plugins(directory: Path) -> bool:
    """Whether ``discover`` would find plugins among ``directory``'s children."""
    try:
        children = list(directory.iterdir())
    except OSError:
        return False
    return any(
        (child.is_dir() and child.name not in SKIP_DIRS and not child.name.startswith(".")
         and (_is_plugin_dir(child) or _is_bottle_dir(child) or is_local_bottle_dir(child)))
        or (child.is_file() and is_archive(child))
        for child in children
    )


def _hint_below(path: Path, directory: Path, children: list[Path]) -> str:
    """Where the plugins are when ``path`` holds none but a folder in it (or in one below) does."""
    if not children:
        return "; the directory is empty: give a plugin's directory or a directory of plugins"
    below: list[Path] = []
    for child in children:
        if not child.is_dir() or child.name in SKIP_DIRS or child.name.startswith("."):
            continue
        if _holds_plugins(child):
            below.append(child)
            continue
        try:
            grandchildren = sorted(c for c in child.iterdir() if c.is_dir() and c.name not in SKIP_DIRS)
        except OSError:
            continue
        below.extend(g for g in grandchildren if _holds_plugins(g))
    if not below:
        return ""
    shown = [(path / child.relative_to(directory)).as_posix() for child in below[:3]]
    places = ", ".join(f"./{p}" if not p.startswith(("/", ".")) else p for p in shown)
    return f"; found plugins in {places}: run `mbcheck lint {' '.join(shown)}`"


def discover_stdin(path: Path, data: bytes) -> Discovery:
    """The plugin a file given on stdin belongs to (``lint - --stdin-filename PATH``).

    The plugin is found from ``PATH``; ``PATH`` itself is never read (an editor's
    buffer may differ from the file, which may not exist yet). Only that file's
    findings are reported.
    """
    root = plugin_root_of(path)
    if root is None:
        return Discovery((), (), (path.as_posix(),))
    rel = path.resolve().relative_to(root).as_posix()
    target = _target(root, frozenset({rel}))
    return Discovery((replace(target, stdin=(rel, data)),))


@dataclass
class FileListing:
    #: every file the plugin's digest covers (relative POSIX paths, sorted)
    files: list[str] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)
    #: bytecode caches (``__pycache__/mod.<tag>.pyc``): written by the host when it
    #: imports the plugin, so not digested; checked against their sources instead
    bytecode: list[str] = field(default_factory=list)
    #: virtual environments inside the plugin (``venv/``): digested, not analysed
    environments: list[str] = field(default_factory=list)

    def in_environment(self, rel: str) -> bool:
        """Whether ``rel`` lies in one of the listing's virtual environments."""
        return any(rel.startswith(env) for env in self.environments)


def _is_venv(path: Path) -> bool:
    return (path / "pyvenv.cfg").is_file()


def list_files(root: Path, excluded: Callable[[str], bool] = lambda _p: False) -> FileListing:
    """Every file below ``root`` the host's import system could reach.

    Skips only version control and tool caches (:data:`CACHE_DIRS`: no import
    reaches them by name); lists build output and virtual environments (the
    latter in ``environments`` too). A symbolic link is followed when it stays
    inside the root, and a linked directory is listed under the link's name
    (``helpers -> .git/modules/helpers`` lists ``helpers/__init__.py``: that
    is the module ``from . import helpers`` runs). A link out of the root, a
    dangling one, one that loops back to a directory it is in, and links that
    expand beyond :data:`MAX_LINKED_FILES` files are reported, not followed.
    Bytecode caches go to ``bytecode``, not ``files``.
    """
    from mbcheck.bytecode import is_cache_file

    listing = FileListing()
    real_root = os.path.realpath(root)
    linked_files = 0

    def link_problem(rel: str, message: str) -> None:
        listing.problems.append(SymlinkOutsideRoot.finding(Span(rel), message))

    def add_file(rel: str, linked: bool) -> None:
        nonlocal linked_files
        if linked:
            linked_files += 1
        (listing.bytecode if is_cache_file(rel) else listing.files).append(rel)

    def walk(directory: Path, prefix: str, ancestors: frozenset[tuple[int, int]], linked: bool) -> None:
        try:
            info = directory.stat()
        except OSError:
            return
        ancestors = ancestors | {(info.st_dev, info.st_ino)}
        if prefix and (directory.name in ENV_DIRS or _is_venv(directory)):
            listing.environments.append(prefix)
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            return
        for entry in entries:
            rel = f"{prefix}{entry.name}"
            if excluded(rel):
                continue
            if entry.is_symlink():
                target = os.path.realpath(entry.path)
                try:
                    target_info = os.stat(entry.path)
                except OSError as exc:
                    if exc.errno is not None and exc.errno == 40:  # ELOOP
                        link_problem(rel, f"symlink `{rel}` forms a loop; not followed")
                    else:
                        link_problem(rel, f"symlink `{rel}` points to a missing file; not followed")
                    continue
                if os.path.commonpath([real_root, target]) != real_root:
                    link_problem(rel, f"symlink `{rel}` points outside the plugin root; not followed")
                    continue
                if linked_files > MAX_LINKED_FILES:
                    link_problem(rel, f"symlinks to directories expand to more than {MAX_LINKED_FILES} files; "
                                      f"`{rel}` not followed")
                    continue
                if stat.S_ISDIR(target_info.st_mode):
                    if entry.name in CACHE_DIRS:
                        continue
                    if (target_info.st_dev, target_info.st_ino) in ancestors:
                        link_problem(rel, f"symlink `{rel}` points to a directory it is in (a loop); not followed")
                        continue
                    walk(Path(entry.path), f"{rel}/", ancestors, True)
                    continue
                add_file(rel, linked)
                continue
            try:
                mode = entry.stat(follow_symlinks=False).st_mode
            except OSError:
                add_file(rel, linked)  # reading it will report the problem
                continue
            if stat.S_ISDIR(mode):
                if entry.name in CACHE_DIRS:
                    continue
                walk(Path(entry.path), f"{rel}/", ancestors, linked)
            elif stat.S_ISREG(mode):
                add_file(rel, linked)

    walk(root, "", frozenset(), False)
    listing.files.sort()
    listing.bytecode.sort()
    listing.environments.sort()
    return listing


def module_name(rel: str, kind: PluginKind, package: str) -> tuple[str, bool]:
    """The dotted module name of a plugin file, and whether it is a package.

    A bottle distribution's root is the project directory (``src/`` is the
    import root when present); an in-tree bottle's root is its package
    directory, whose dotted package (``milkbottle.modules.pdfmilker``) prefixes
    its files like a plugin's.
    """
    parts = rel[:-3].split("/") if rel.endswith(".py") else rel.split("/")
    is_package = parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1]
    if kind is PluginKind.BOTTLE and "." not in package:
        if parts and parts[0] == "src":
            parts = parts[1:]
        return ".".join(parts) or package, is_package
    return ".".join([package, *parts]), is_package
