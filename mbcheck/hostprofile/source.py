"""The host's own modules, read with :mod:`ast` (never imported).

:class:`ModuleIndex` maps every importable module under the host package to its
file, the way the import system would find it: a package (a directory with
``__init__.py``) wins over a module of the same name, a module wins over a
namespace directory of the same name, and ``__pycache__`` is never a package.

Two questions are answered from a module's statements that run when it is
imported (:func:`import_time_statements`): the statements at module level and
in module-level ``if``/``else`` (not ``if TYPE_CHECKING:``), ``with``,
``for``/``while`` and ``try`` blocks. Function and class bodies do not count,
nor does a ``try`` body whose handler catches ``ImportError`` (the import is
optional), nor an ``except`` handler.

* which modules it imports (:func:`imports_of`);
* which names it binds (:func:`bound_names`): ``def``, ``class``, assignments
  and imports.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

#: exception names whose handler makes a ``try`` body's imports optional
_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})


@dataclass(frozen=True)
class Module:
    """One module of the host: its dotted name, its file (None: a namespace package)."""

    name: str
    path: Path | None
    is_package: bool


@dataclass(frozen=True)
class ImportSite:
    """A module an import statement loads, where, and the names it takes from it."""

    module: str
    line: int
    #: for ``from M import a, b``: ``("a", "b")``; empty for ``import M``
    names: tuple[str, ...] = ()


class ModuleIndex:
    """Every module under the host package, and their parsed trees (parsed once, on demand)."""

    def __init__(self, package_dir: Path, package: str) -> None:
        self.package = package
        self.modules: dict[str, Module] = {}
        self._trees: dict[str, ast.Module | None] = {}
        self.unreadable: list[str] = []
        self._walk(package_dir, package)

    def _walk(self, directory: Path, dotted: str) -> None:
        init = directory / "__init__.py"
        self.modules[dotted] = Module(dotted, init if init.is_file() else None, True)
        for child in sorted(directory.iterdir(), key=lambda p: p.name):
            if child.is_symlink():
                continue
            if child.is_dir():
                if child.name == "__pycache__" or not child.name.isidentifier():
                    continue
                if not (child / "__init__.py").is_file() and (directory / f"{child.name}.py").is_file():
                    continue  # the module wins over a namespace directory of the same name
                self._walk(child, f"{dotted}.{child.name}")
            elif child.suffix == ".py" and child.stem.isidentifier() and child.stem != "__init__":
                if (directory / child.stem / "__init__.py").is_file():
                    continue  # the package wins over a module of the same name
                name = f"{dotted}.{child.stem}"
                self.modules[name] = Module(name, child, False)

    def tree(self, name: str) -> ast.Module | None:
        """The module's syntax tree (None: a namespace package, or a file Python cannot parse)."""
        if name not in self._trees:
            module = self.modules.get(name)
            tree = None
            if module is not None and module.path is not None:
                try:
                    tree = ast.parse(module.path.read_bytes(), filename=str(module.path))
                except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
                    self.unreadable.append(name)
            self._trees[name] = tree
        return self._trees[name]

    def package_of(self, name: str) -> str:
        """The package relative imports in ``name`` start from."""
        module = self.modules.get(name)
        return name if module is not None and module.is_package else name.rpartition(".")[0]


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _catches_import_error(handlers: Sequence[ast.ExceptHandler]) -> bool:
    for handler in handlers:
        kinds = handler.type
        if kinds is None:
            return True
        names = kinds.elts if isinstance(kinds, ast.Tuple) else [kinds]
        for node in names:
            label = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""
            if label in _IMPORT_ERRORS:
                return True
    return False


def import_time_statements(body: Sequence[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements of ``body`` that run when the module is imported (see the module docs)."""
    for statement in body:
        yield statement
        if isinstance(statement, ast.If):
            if not _is_type_checking(statement.test):
                yield from import_time_statements(statement.body)
            yield from import_time_statements(statement.orelse)
        elif isinstance(statement, ast.With | ast.AsyncWith):
            yield from import_time_statements(statement.body)
        elif isinstance(statement, ast.For | ast.AsyncFor | ast.While):
            yield from import_time_statements(statement.body)
            yield from import_time_statements(statement.orelse)
        elif isinstance(statement, ast.Try | ast.TryStar):
            if not _catches_import_error(statement.handlers):
                yield from import_time_statements(statement.body)
            yield from import_time_statements(statement.orelse)
            yield from import_time_statements(statement.finalbody)


def _absolute(index: ModuleIndex, current: str, module: str | None, level: int) -> str | None:
    if level == 0:
        return module
    base = index.package_of(current)
    parts = base.split(".") if base else []
    if level - 1 > len(parts):
        return None
    parts = parts[: len(parts) - (level - 1)]
    if module:
        parts.append(module)
    return ".".join(parts) or None


def imports_of(index: ModuleIndex, name: str) -> list[ImportSite]:
    """The modules ``name`` imports when it is imported, in source order (relative imports made absolute)."""
    tree = index.tree(name)
    if tree is None:
        return []
    out: list[ImportSite] = []
    for statement in import_time_statements(tree.body):
        if isinstance(statement, ast.Import):
            out.extend(ImportSite(alias.name, statement.lineno) for alias in statement.names)
        elif isinstance(statement, ast.ImportFrom):
            target = _absolute(index, name, statement.module, statement.level)
            if target is not None:
                names = tuple(alias.name for alias in statement.names)
                out.append(ImportSite(target, statement.lineno, names))
    return out


def _targets(node: ast.expr) -> Iterator[str]:
    if isinstance(node, ast.Name):
        yield node.id
    elif isinstance(node, ast.Tuple | ast.List):
        for element in node.elts:
            yield from _targets(element.value if isinstance(element, ast.Starred) else element)


def bound_names(index: ModuleIndex, name: str) -> tuple[list[str], list[tuple[ImportSite, str]]]:
    """Names ``name`` binds at import time: its own (``def``, ``class``, assignments) and,
    apart, each import with the name it binds (``from .x import Y`` -> ``Y``)."""
    tree = index.tree(name)
    if tree is None:
        return [], []
    own: list[str] = []
    imported: list[tuple[ImportSite, str]] = []
    for statement in import_time_statements(tree.body):
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            own.append(statement.name)
        elif isinstance(statement, ast.Assign):
            for target in statement.targets:
                own.extend(_targets(target))
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            own.extend(_targets(statement.target))
        elif isinstance(statement, ast.Import):
            for alias in statement.names:
                bound = alias.asname or alias.name.split(".")[0]
                imported.append((ImportSite(alias.name, statement.lineno), bound))
        elif isinstance(statement, ast.ImportFrom):
            source = _absolute(index, name, statement.module, statement.level)
            if source is None:
                continue
            for alias in statement.names:
                site = ImportSite(source, statement.lineno, (alias.name,))
                imported.append((site, alias.asname or alias.name))
    return own, imported


def literal_all(index: ModuleIndex, name: str) -> list[str] | None:
    """The module's ``__all__`` when it is written as literal strings (``=`` and ``+=``), else None."""
    tree = index.tree(name)
    if tree is None:
        return None
    found: list[str] | None = None
    for statement in import_time_statements(tree.body):
        value = assigned_value(statement, "__all__")
        extend = False
        if isinstance(statement, ast.AugAssign) and isinstance(statement.target, ast.Name) and (
            statement.target.id == "__all__"
        ):
            value, extend = statement.value, True
        if value is None:
            continue
        if not isinstance(value, ast.List | ast.Tuple) or not all(
            isinstance(e, ast.Constant) and isinstance(e.value, str) for e in value.elts
        ):
            return None  # computed: not a list mbcheck can read
        names = [e.value for e in value.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
        found = [*(found or []), *names] if extend else names
    return found


def assigned_value(statement: ast.stmt, variable: str) -> ast.expr | None:
    """The value ``statement`` assigns to the plain name ``variable`` (``x = v`` or ``x: T = v``), else None."""
    if isinstance(statement, ast.Assign) and any(isinstance(t, ast.Name) and t.id == variable for t in statement.targets):
        return statement.value
    if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name) and statement.target.id == variable:
        return statement.value
    return None


def string_constant(index: ModuleIndex, name: str, variable: str) -> tuple[str, int] | None:
    """A module-level ``variable = "text"``: its text and line."""
    tree = index.tree(name)
    if tree is None:
        return None
    found: tuple[str, int] | None = None
    for statement in import_time_statements(tree.body):
        value = assigned_value(statement, variable)
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            found = value.value, statement.lineno
    return found


def module_assignment(index: ModuleIndex, name: str, variable: str) -> ast.expr | None:
    """The expression assigned to ``variable`` at module level (the last assignment)."""
    tree = index.tree(name)
    if tree is None:
        return None
    found: ast.expr | None = None
    for statement in import_time_statements(tree.body):
        value = assigned_value(statement, variable)
        if value is not None:
            found = value
    return found


def find_class(index: ModuleIndex, name: str, cls: str) -> ast.ClassDef | None:
    """The module-level class ``cls`` of module ``name``."""
    tree = index.tree(name)
    if tree is None:
        return None
    for statement in import_time_statements(tree.body):
        if isinstance(statement, ast.ClassDef) and statement.name == cls:
            return statement
    return None


__all__ = [
    "ImportSite",
    "Module",
    "ModuleIndex",
    "assigned_value",
    "bound_names",
    "find_class",
    "import_time_statements",
    "imports_of",
    "literal_all",
    "module_assignment",
    "string_constant",
]
