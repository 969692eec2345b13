"""The compatibility tables: schema-valid, self-consistent and true of this interpreter.

``rules/compat/stdlib.json`` says when standard-library modules and members
appeared and disappeared; ``rules/compat/syntax.json`` says when syntax forms
became valid. Both are checked against the interpreter running the tests (its
own standard library, never plugin code): what the tables say exists here must
exist, what they say is newer or removed must not.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import inspect
import os
import sys
import sysconfig
import warnings
from collections.abc import Iterator, Mapping
from importlib.machinery import ModuleSpec
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from mbcheck.resources import load_json

STDLIB = "rules/compat/stdlib.json"
SYNTAX = "rules/compat/syntax.json"
STDLIB_SCHEMA = "schemas/rules-compat-stdlib.schema.json"
SYNTAX_SCHEMA = "schemas/rules-compat-syntax.schema.json"

RUNNING: tuple[int, int] = sys.version_info[:2]
RUNNING_PATCH: tuple[int, int, int] = sys.version_info[:3]

# Entries that exist only on some platforms: name -> (platform test, reason).
# "unix" means every platform except Windows.
_WINDOWS = "win32"
_DARWIN = "darwin"
_LINUX = "linux"
_UNIX = "unix"
PLATFORM_ONLY: dict[str, tuple[str, str]] = {
    "msilib": (_WINDOWS, "Windows Installer bindings are built on Windows only"),
    "_msi": (_WINDOWS, "Windows Installer bindings are built on Windows only"),
    "_winapi": (_WINDOWS, "Windows API bindings"),
    "os.add_dll_directory": (_WINDOWS, "Windows DLL search path"),
    "os.listdrives": (_WINDOWS, "Windows drive enumeration"),
    "os.listmounts": (_WINDOWS, "Windows volume mount points"),
    "os.listvolumes": (_WINDOWS, "Windows volumes"),
    "os.path.isreserved": (_WINDOWS, "defined by ntpath only"),
    "webbrowser.MacOSX": (_DARWIN, "defined on macOS only"),
    "os.getrandom": (_LINUX, "Linux getrandom(2)"),
    "fcntl.F_DUP2FD": ("freebsd", "FreeBSD fcntl(2) command"),
    "fcntl.F_DUP2FD_CLOEXEC": ("freebsd", "FreeBSD fcntl(2) command"),
    "resource.RLIMIT_KQUEUES": ("freebsd", "FreeBSD resource limit"),
    "os.memfd_create": (_LINUX, "Linux memfd_create(2)"),
    "os.copy_file_range": (_LINUX, "Linux copy_file_range(2)"),
    "os.pidfd_open": (_LINUX, "Linux pidfd_open(2)"),
    "os.P_PIDFD": (_LINUX, "Linux waitid(2) pidfd type"),
    "os.eventfd": (_LINUX, "Linux eventfd(2)"),
    "os.eventfd_read": (_LINUX, "Linux eventfd(2)"),
    "os.eventfd_write": (_LINUX, "Linux eventfd(2)"),
    "os.splice": (_LINUX, "Linux splice(2)"),
    "os.unshare": (_LINUX, "Linux namespaces"),
    "os.setns": (_LINUX, "Linux namespaces"),
    "os.timerfd_create": (_LINUX, "Linux timerfd"),
    "os.timerfd_settime": (_LINUX, "Linux timerfd"),
    "os.timerfd_settime_ns": (_LINUX, "Linux timerfd"),
    "os.timerfd_gettime": (_LINUX, "Linux timerfd"),
    "os.timerfd_gettime_ns": (_LINUX, "Linux timerfd"),
    "signal.pidfd_send_signal": (_LINUX, "Linux pidfd_send_signal(2)"),
    "time.CLOCK_BOOTTIME": (_LINUX, "Linux clock id"),
    "time.CLOCK_TAI": (_LINUX, "Linux clock id"),
    "sys.activate_stack_trampoline": (_LINUX, "perf trampoline, Linux builds only"),
    "sys.deactivate_stack_trampoline": (_LINUX, "perf trampoline, Linux builds only"),
    "sys.is_stack_trampoline_active": (_LINUX, "perf trampoline, Linux builds only"),
    "ossaudiodev": (_LINUX, "OSS audio, Linux and FreeBSD only"),
    "crypt": (_UNIX, "Unix crypt(3)"),
    "spwd": (_UNIX, "Unix shadow password database"),
    "nis": (_UNIX, "Unix NIS"),
    "os.register_at_fork": (_UNIX, "fork() hooks"),
    "os.preadv": (_UNIX, "POSIX vectored I/O"),
    "os.pwritev": (_UNIX, "POSIX vectored I/O"),
    "os.posix_spawn": (_UNIX, "POSIX spawn"),
    "os.posix_spawnp": (_UNIX, "POSIX spawn"),
    "os.login_tty": (_UNIX, "Unix terminals"),
    "os.grantpt": (_UNIX, "Unix pseudo-terminals"),
    "os.posix_openpt": (_UNIX, "Unix pseudo-terminals"),
    "os.ptsname": (_UNIX, "Unix pseudo-terminals"),
    "os.unlockpt": (_UNIX, "Unix pseudo-terminals"),
    "time.pthread_getcpuclockid": (_UNIX, "POSIX threads"),
    "time.clock_gettime_ns": (_UNIX, "POSIX clocks"),
    "time.clock_settime_ns": (_UNIX, "POSIX clocks"),
    "socket.send_fds": (_UNIX, "SCM_RIGHTS over Unix sockets"),
    "socket.recv_fds": (_UNIX, "SCM_RIGHTS over Unix sockets"),
    "mmap.mmap.madvise": (_UNIX, "madvise(2)"),
    "termios.tcgetwinsize": (_UNIX, "Unix terminals"),
    "termios.tcsetwinsize": (_UNIX, "Unix terminals"),
    "tty.cfmakeraw": (_UNIX, "Unix terminals"),
    "tty.cfmakecbreak": (_UNIX, "Unix terminals"),
    "pty.master_open": (_UNIX, "Unix pseudo-terminals"),
    "pty.slave_open": (_UNIX, "Unix pseudo-terminals"),
    "asyncio.AbstractChildWatcher": (_UNIX, "asyncio.unix_events"),
    "asyncio.SafeChildWatcher": (_UNIX, "asyncio.unix_events"),
    "asyncio.FastChildWatcher": (_UNIX, "asyncio.unix_events"),
    "asyncio.MultiLoopChildWatcher": (_UNIX, "asyncio.unix_events"),
    "asyncio.ThreadedChildWatcher": (_UNIX, "asyncio.unix_events"),
    "asyncio.PidfdChildWatcher": (_UNIX, "asyncio.unix_events"),
}

# Extension modules a CPython build may leave out when a system library is
# missing; entries under them are skipped when the module cannot be found.
OPTIONAL_EXTENSIONS: dict[str, str] = {
    "curses": "needs ncurses",
    "nis": "needs libnsl",
    "readline": "needs GNU readline or libedit",
    "sqlite3": "needs libsqlite3",
    "ssl": "needs OpenSSL",
    "dbm.sqlite3": "needs libsqlite3",
    "tkinter": "needs Tcl/Tk",
    "ossaudiodev": "needs OSS headers",
}

# Feature ids the compatibility rules look up by name.
RULE_FEATURE_IDS = (
    "fstring",
    "variable_annotation",
    "async_generator",
    "async_comprehension",
    "underscore_numeric_literal",
    "walrus",
    "positional_only_params",
    "fstring_self_documenting",
    "continue_in_finally",
    "generalized_unpacking_return",
    "relaxed_decorators",
    "parenthesized_context_managers",
    "match_statement",
    "except_star",
    "starred_subscript",
    "type_parameters",
    "type_alias_statement",
    "fstring_nested_quotes",
    "fstring_multiline_expr",
    "fstring_backslash_expr",
    "type_param_defaults",
    "except_without_parens",
    "template_string",
)


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def _stdlib_table() -> dict[str, Any]:
    table: dict[str, Any] = load_json(STDLIB)
    return table


def _syntax_table() -> dict[str, Any]:
    table: dict[str, Any] = load_json(SYNTAX)
    return table


def _entries() -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    table = _stdlib_table()
    for kind in ("modules", "members"):
        for name, entry in table[kind].items():
            yield kind, name, entry


def _expected_here(entry: Mapping[str, Any]) -> bool:
    """Whether the table says the running interpreter provides the name."""
    removed = entry.get("removed")
    if removed is not None and _version(removed) <= RUNNING:
        return False
    added = entry.get("added")
    if added is None or _version(added) <= RUNNING:
        return True
    for patch in entry.get("backported", ()):
        release = _version(patch)
        if release[:2] == RUNNING and release <= RUNNING_PATCH:
            return True
    return False


def _platform_matches(test: str) -> bool:
    if test == _UNIX:
        return sys.platform != "win32"
    return sys.platform.startswith(test)


def _stdlib_roots() -> tuple[str, ...]:
    paths = sysconfig.get_paths()
    return tuple({os.path.realpath(paths[key]) for key in ("stdlib", "platstdlib")})


def _from_stdlib(spec: ModuleSpec | None) -> bool:
    if spec is None:
        return False
    if spec.origin in ("built-in", "frozen"):
        return True
    locations = [spec.origin] if spec.origin else list(spec.submodule_search_locations or [])
    roots = _stdlib_roots()
    return any(os.path.realpath(location).startswith(roots) for location in locations if location)


def _find_module(name: str) -> ModuleSpec | None:
    """Locate a standard-library module without importing it or its parents."""
    parts = name.split(".")
    try:
        spec = importlib.util.find_spec(parts[0])
    except (ImportError, ValueError):
        return None
    for part in parts[1:]:
        if spec is None or not spec.submodule_search_locations:
            return None
        spec = importlib.machinery.PathFinder.find_spec(
            f"{spec.name}.{part}", list(spec.submodule_search_locations)
        )
    return spec if _from_stdlib(spec) else None


def _module_exists(name: str) -> bool:
    if "." not in name and name in sys.builtin_module_names:
        return True
    return _find_module(name) is not None


def _member_exists(name: str) -> bool:
    parts = name.split(".")
    obj: Any = None
    start = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for cut in range(len(parts) - 1, 0, -1):
            module = ".".join(parts[:cut])
            if not _module_exists(module):
                continue
            try:
                obj = importlib.import_module(module)
            except ImportError:
                return False
            start = cut
            break
        else:
            return False
        for attr in parts[start:]:
            try:
                obj = getattr(obj, attr)
            except AttributeError:
                try:
                    obj = inspect.getattr_static(obj, attr)
                except AttributeError:
                    return False
    return True


def _platform_specific() -> frozenset[str]:
    return frozenset(_stdlib_table().get("platform_specific", ()))


def _skip_reason(name: str) -> str | None:
    platform = PLATFORM_ONLY.get(name)
    if platform is not None and not _platform_matches(platform[0]):
        return platform[1]
    parts = name.split(".")
    specific = _platform_specific()
    if any(".".join(parts[:cut]) in specific for cut in range(2, len(parts) + 1)):
        return "the stubs define it on some platforms only"
    for module, reason in OPTIONAL_EXTENSIONS.items():
        if (name == module or name.startswith(module + ".")) and not _module_exists(module):
            return reason
    return None


# --- schemas -----------------------------------------------------------------


@pytest.mark.parametrize("schema", [STDLIB_SCHEMA, SYNTAX_SCHEMA])
def test_schema_is_a_valid_2020_12_schema(schema: str) -> None:
    Draft202012Validator.check_schema(load_json(schema))


@pytest.mark.parametrize(("table", "schema"), [(STDLIB, STDLIB_SCHEMA), (SYNTAX, SYNTAX_SCHEMA)])
def test_table_matches_its_schema(table: str, schema: str) -> None:
    validator = Draft202012Validator(load_json(schema))
    errors = [
        f"{'/'.join(str(p) for p in error.absolute_path)}: {error.message}"
        for error in validator.iter_errors(load_json(table))
    ]
    assert errors == []


@pytest.mark.parametrize(
    "entry",
    [
        {},
        {"added": "3.x"},
        {"added": "3"},
        {"removed": "2.7"},
        {"added": "3.100"},
        {"added": "3.9", "since": "3.9"},
        {"backported": ["3.10.7"]},
        {"added": "3.11", "backported": ["3.10"]},
        {"added": "3.11", "backported": []},
    ],
)
def test_stdlib_schema_rejects_bad_entries(entry: dict[str, Any]) -> None:
    validator = Draft202012Validator(load_json(STDLIB_SCHEMA))
    document = {"source": "x", "modules": {}, "members": {"math.isqrt": entry}}
    assert not validator.is_valid(document)


@pytest.mark.parametrize(
    ("kind", "name"),
    [("members", "isqrt"), ("members", "math..isqrt"), ("modules", "1abc"), ("modules", "a-b")],
)
def test_stdlib_schema_rejects_bad_names(kind: str, name: str) -> None:
    validator = Draft202012Validator(load_json(STDLIB_SCHEMA))
    document: dict[str, Any] = {"source": "x", "modules": {}, "members": {}}
    document[kind][name] = {"added": "3.8"}
    assert not validator.is_valid(document)


@pytest.mark.parametrize(
    ("fid", "feature"),
    [
        ("Walrus", {"version": "3.8", "description": "d"}),
        ("walrus", {"version": "3.8"}),
        ("walrus", {"version": "3.08.1", "description": "d"}),
        ("walrus", {"version": "3.8", "description": "d", "pep": "572"}),
        ("walrus", {"version": "3.8", "description": "d", "removed": "3.9"}),
    ],
)
def test_syntax_schema_rejects_bad_features(fid: str, feature: dict[str, Any]) -> None:
    validator = Draft202012Validator(load_json(SYNTAX_SCHEMA))
    assert not validator.is_valid({"source": "x", "features": {fid: feature}})


# --- consistency -------------------------------------------------------------


def test_stdlib_versions_are_ordered_and_in_range() -> None:
    problems: list[str] = []
    for kind, name, entry in _entries():
        added = entry.get("added")
        removed = entry.get("removed")
        if added is not None and not (3, 1) <= _version(added) <= (3, 15):
            problems.append(f"{kind} {name}: added {added} outside 3.1-3.15")
        if removed is not None and not (3, 1) <= _version(removed) <= (3, 15):
            problems.append(f"{kind} {name}: removed {removed} outside 3.1-3.15")
        if added is not None and removed is not None and _version(added) >= _version(removed):
            problems.append(f"{kind} {name}: added {added} is not before removed {removed}")
        lines = [_version(patch)[:2] for patch in entry.get("backported", ())]
        if len(set(lines)) != len(lines):
            problems.append(f"{kind} {name}: two backports on one release line")
        if added is not None and any(line >= _version(added) for line in lines):
            problems.append(f"{kind} {name}: backport not older than added {added}")
    assert problems == []


def test_member_modules_are_not_listed_as_members() -> None:
    table = _stdlib_table()
    clash = sorted(set(table["modules"]) & set(table["members"]))
    assert clash == []


def test_syntax_feature_ids_used_by_rules_are_present() -> None:
    features = _syntax_table()["features"]
    assert [fid for fid in RULE_FEATURE_IDS if fid not in features] == []


def test_syntax_versions_are_in_range() -> None:
    features = _syntax_table()["features"]
    outside = [
        fid for fid, f in features.items() if not (3, 6) <= _version(f["version"]) <= (3, 14)
    ]
    assert outside == []


# --- against the running interpreter -----------------------------------------


def _class_member(name: str) -> bool:
    """A member of a class (``module.Class.attr``): the stubs also declare instance
    attributes and methods only type checkers see, which the class itself lacks."""
    parent = name.rpartition(".")[0]
    return not _module_exists(parent)


def test_what_the_table_says_exists_here_does() -> None:
    missing: list[str] = []
    checked = 0
    for kind, name, entry in _entries():
        if not _expected_here(entry) or _skip_reason(name) is not None:
            continue
        if kind == "members" and _class_member(name):
            continue
        checked += 1
        exists = _module_exists(name) if kind == "modules" else _member_exists(name)
        if not exists:
            missing.append(f"{kind} {name} {dict(entry)}")
    assert checked > 0
    assert missing == [], f"listed as available on {RUNNING} but missing:\n" + "\n".join(missing)


def test_what_the_table_says_is_newer_is_absent_here() -> None:
    present: list[str] = []
    for kind, name, entry in _entries():
        added = entry.get("added")
        if added is None or _version(added) <= RUNNING or _expected_here(entry):
            continue
        exists = _module_exists(name) if kind == "modules" else _member_exists(name)
        if exists:
            present.append(f"{kind} {name} {dict(entry)}")
    assert present == [], f"listed as newer than {RUNNING} but present:\n" + "\n".join(present)


def test_what_the_table_says_is_removed_is_absent_here() -> None:
    present: list[str] = []
    for kind, name, entry in _entries():
        removed = entry.get("removed")
        if removed is None or _version(removed) > RUNNING:
            continue
        exists = _module_exists(name) if kind == "modules" else _member_exists(name)
        if exists:
            present.append(f"{kind} {name} {dict(entry)}")
    assert present == [], f"listed as removed by {RUNNING} but present:\n" + "\n".join(present)


def test_syntax_examples_compile_exactly_from_their_version() -> None:
    wrong: list[str] = []
    for fid, feature in _syntax_table()["features"].items():
        example = feature.get("example")
        if example is None:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                compile(example, f"<{fid}>", "exec", dont_inherit=True)
                accepted = True
            except SyntaxError:
                accepted = False
        expected = _version(feature["version"]) <= RUNNING
        if accepted != expected:
            state = "accepted" if accepted else "rejected"
            wrong.append(f"{fid} (version {feature['version']}): example {state} by {RUNNING}")
    assert wrong == []


def test_existence_probe_tells_present_from_absent() -> None:
    """The probes above must be able to fail: known names and made-up names."""
    assert _module_exists("json")
    assert _module_exists("xml.etree.ElementTree")
    assert not _module_exists("json.no_such_submodule")
    assert not _module_exists("no_such_module_anywhere")
    assert _member_exists("os.path.join")
    assert _member_exists("builtins.str.upper")
    assert not _member_exists("os.path.no_such_function")
    assert not _member_exists("builtins.str.no_such_method")
