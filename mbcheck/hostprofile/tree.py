"""Where a MilkBottle host's files are, and what its distribution metadata says.

A host is read from one of three layouts, never imported:

* a source checkout: ``pyproject.toml`` and ``src/milkbottle/`` (or ``milkbottle/``)
  beside it;
* an unpacked sdist: the same, plus ``PKG-INFO``;
* an installed distribution: a ``site-packages`` directory holding
  ``milkbottle/`` and ``milkbottle-<version>.dist-info/`` (``METADATA``,
  ``entry_points.txt``).

The distribution metadata (version, ``requires-python``, requirements, entry
points) comes from ``pyproject.toml`` in a checkout, and from ``PKG-INFO`` or
``METADATA`` otherwise (a field ``pyproject.toml`` leaves dynamic is taken from
``PKG-INFO``). The commit is read from ``.git`` as files (``HEAD``, ``refs/``,
``packed-refs``); no program is run.
"""

from __future__ import annotations

import configparser
import re
import tomllib
from dataclasses import dataclass, field
from email.parser import HeaderParser
from pathlib import Path
from typing import Any, Literal

from packaging.requirements import InvalidRequirement, Requirement

#: the host's import package and distribution name
PACKAGE = "milkbottle"

Layout = Literal["repository", "sdist", "installed"]

_SHA = re.compile(r"^[0-9a-f]{40}$")


class HostProfileError(Exception):
    """The path is not a MilkBottle tree mbcheck can read; the message says what is missing."""


@dataclass(frozen=True)
class Stated:
    """A value the host states, and where (``file:line`` relative to the tree, or a file)."""

    value: str
    where: str


@dataclass
class HostTree:
    """A located host: its root, its package directory and its distribution metadata."""

    root: Path
    layout: Layout
    package_dir: Path
    distribution_version: Stated | None = None
    requires_python: Stated | None = None
    requirements: list[str] = field(default_factory=list)
    requirements_from: str = ""
    #: entry-point group -> name -> ``module:attribute`` the distribution declares
    entry_points: dict[str, dict[str, str]] = field(default_factory=dict)

    def relative(self, path: Path) -> str:
        """``path`` relative to the root, with forward slashes."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()


def locate(path: Path) -> HostTree:
    """The host tree at ``path`` (a checkout, an unpacked sdist or a ``site-packages`` directory)."""
    if not path.is_dir():
        raise HostProfileError(f"{path} is not a directory")
    root = path.resolve()
    for package in (root / "src" / PACKAGE, root / PACKAGE):
        if not (package / "__init__.py").is_file():
            continue
        if (root / "pyproject.toml").is_file() or (root / "PKG-INFO").is_file():
            layout: Layout = "sdist" if (root / "PKG-INFO").is_file() else "repository"
            tree = HostTree(root, layout, package)
            _read_source_metadata(tree)
            return tree
    infos = sorted(p for p in root.glob(f"{PACKAGE}-*.dist-info") if p.is_dir())
    if (root / PACKAGE / "__init__.py").is_file() and infos:
        if len(infos) > 1:
            names = ", ".join(p.name for p in infos)
            raise HostProfileError(f"{path} holds several {PACKAGE} distributions ({names}); remove the stale ones")
        tree = HostTree(root, "installed", root / PACKAGE)
        _read_metadata_file(tree, infos[0] / "METADATA")
        _read_entry_points_txt(tree, infos[0] / "entry_points.txt")
        return tree
    raise HostProfileError(
        f"{path} is not a MilkBottle tree: expected pyproject.toml and src/{PACKAGE}/ (a checkout), "
        f"PKG-INFO and src/{PACKAGE}/ (an sdist), or {PACKAGE}/ and {PACKAGE}-<version>.dist-info/ (site-packages)"
    )


def _line_of(text: str, table: str, key: str) -> int:
    """The line of ``key = ...`` in the TOML table ``[table]`` (0 when not found)."""
    current = ""
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("["):
            current = stripped.strip("[] ")
        elif current == table and re.match(rf"^{re.escape(key)}\s*=", stripped):
            return number
    return 0


def _where(name: str, line: int) -> str:
    return f"{name}:{line}" if line else name


def _read_source_metadata(tree: HostTree) -> None:
    pyproject = tree.root / "pyproject.toml"
    if pyproject.is_file():
        try:
            text = pyproject.read_text(encoding="utf-8")
            data: dict[str, Any] = tomllib.loads(text)
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise HostProfileError(f"{pyproject}: cannot read: {exc}") from None
        project = data.get("project")
        if isinstance(project, dict):
            version = project.get("version")
            if isinstance(version, str):
                tree.distribution_version = Stated(version, _where("pyproject.toml", _line_of(text, "project", "version")))
            python = project.get("requires-python")
            if isinstance(python, str):
                tree.requires_python = Stated(python, _where("pyproject.toml", _line_of(text, "project", "requires-python")))
            dependencies = project.get("dependencies")
            if isinstance(dependencies, list):
                tree.requirements = [str(d) for d in dependencies]
                tree.requirements_from = _where("pyproject.toml", _line_of(text, "project", "dependencies"))
            scripts = project.get("scripts")
            if isinstance(scripts, dict):
                tree.entry_points["console_scripts"] = {str(k): str(v) for k, v in scripts.items()}
            groups = project.get("entry-points")
            if isinstance(groups, dict):
                for group, entries in groups.items():
                    if isinstance(entries, dict):
                        tree.entry_points[str(group)] = {str(k): str(v) for k, v in entries.items()}
    info = tree.root / "PKG-INFO"
    if info.is_file():
        _read_metadata_file(tree, info, fill_only=True)


def _read_metadata_file(tree: HostTree, path: Path, fill_only: bool = False) -> None:
    """Core metadata (``PKG-INFO``/``METADATA``): version, ``Requires-Python``, ``Requires-Dist``."""
    try:
        message = HeaderParser().parsestr(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise HostProfileError(f"{path}: cannot read: {exc}") from None
    where = tree.relative(path)
    version = message.get("Version")
    if version and not (fill_only and tree.distribution_version):
        tree.distribution_version = Stated(str(version).strip(), where)
    python = message.get("Requires-Python")
    if python and not (fill_only and tree.requires_python):
        tree.requires_python = Stated(str(python).strip(), where)
    if fill_only and tree.requirements_from:
        return
    requirements = []
    for text in message.get_all("Requires-Dist") or ():
        try:
            requirement = Requirement(str(text))
        except InvalidRequirement:
            requirements.append(str(text).strip())
            continue
        if requirement.marker is not None and "extra" in str(requirement.marker):
            continue  # an optional extra: not installed with the host
        requirements.append(str(text).strip())
    if requirements or not tree.requirements_from:
        tree.requirements = requirements
        tree.requirements_from = where


def _read_entry_points_txt(tree: HostTree, path: Path) -> None:
    if not path.is_file():
        return
    parser = configparser.ConfigParser(delimiters=("=",), interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    try:
        parser.read_string(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, configparser.Error) as exc:
        raise HostProfileError(f"{path}: cannot read: {exc}") from None
    for group in parser.sections():
        tree.entry_points[group] = {name: value.strip() for name, value in parser.items(group)}


def git_commit(root: Path) -> str | None:
    """The commit checked out at ``root``, read from ``.git`` as files; None when there is none."""
    git = root / ".git"
    if git.is_file():  # a worktree or submodule: "gitdir: <path>"
        try:
            line = git.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            return None
        if not line.startswith("gitdir:"):
            return None
        git = (root / line.removeprefix("gitdir:").strip()).resolve()
    if not git.is_dir():
        return None
    common = git
    commondir = git / "commondir"
    if commondir.is_file():
        try:
            common = (git / commondir.read_text(encoding="utf-8").strip()).resolve()
        except (OSError, UnicodeDecodeError):
            return None
    try:
        head = (git / "HEAD").read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    for _ in range(5):  # a symbolic ref may point to another symbolic ref
        if _SHA.match(head):
            return head
        if not head.startswith("ref:"):
            return None
        ref = head.removeprefix("ref:").strip()
        if ".." in ref.split("/"):
            return None
        resolved = _read_ref(git, common, ref)
        if resolved is None:
            return None
        head = resolved
    return None


def _read_ref(git: Path, common: Path, ref: str) -> str | None:
    for base in (git, common):
        candidate = base / ref
        if candidate.is_file():
            try:
                return candidate.read_text(encoding="utf-8").strip()
            except (OSError, UnicodeDecodeError):
                return None
    packed = common / "packed-refs"
    if packed.is_file():
        try:
            lines = packed.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            return None
        for line in lines:
            sha, _, name = line.partition(" ")
            if name.strip() == ref and _SHA.match(sha):
                return sha
    return None


__all__ = ["PACKAGE", "HostProfileError", "HostTree", "Layout", "Stated", "git_commit", "locate"]
