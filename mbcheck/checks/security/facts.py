"""Facts the security collector records per file (plain data: no libcst here).

Plugin-level security rules (permission inference, import-time side effects)
read them from cached outcomes without ever loading the parser.
"""

from __future__ import annotations

from dataclasses import dataclass

from mbcheck.archive.formats import WHEEL_SUFFIX
from mbcheck.model import Span

#: archives Python imports from when they are on ``sys.path`` (zipimport reads any zip)
IMPORTABLE_ARCHIVES = (".zip", ".egg", WHEEL_SUFFIX, ".pyz", ".pex", ".par")


@dataclass(frozen=True, slots=True)
class Evidence:
    """One use of a permission: the import, call or attribute that proves it.

    ``via`` is the fully qualified name that matched the permission table
    (``urllib.request.urlopen``, ``socket``, ``os.environ``); ``function`` the
    qualified name of the function whose body holds it (``""`` at module or
    class level); ``certain`` is false when the permission depends on a value
    that is not static (``open(path, mode)`` with a computed mode).
    """

    permission: str
    via: str
    kind: str  # "import", "call" or "attribute"
    span: Span
    statement_line: int
    at_import_time: bool
    certain: bool = True
    function: str = ""


@dataclass(frozen=True, slots=True)
class FunctionSummary:
    """A function or method of the plugin and the plugin functions it calls."""

    name: str
    calls: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ImportTimeCall:
    """A call of one of the plugin's own functions (or classes) made while the module is imported."""

    callee: str
    span: Span
    statement_line: int


@dataclass(frozen=True, slots=True)
class SecurityFacts:
    module: str
    evidence: tuple[Evidence, ...] = ()
    functions: tuple[FunctionSummary, ...] = ()
    import_time_calls: tuple[ImportTimeCall, ...] = ()
    #: the module imports a computed module name when it is imported (any plugin module may run)
    dynamic_import: bool = False
    #: entries put on ``sys.path`` (or given to ``zipimport``/``site.addsitedir``) before an
    #: import: the static entry (``""`` when computed) and where
    path_entries: tuple[tuple[str, Span], ...] = ()


__all__ = ["IMPORTABLE_ARCHIVES", "Evidence", "FunctionSummary", "ImportTimeCall", "SecurityFacts"]
