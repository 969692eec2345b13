"""Bytecode caches: proving that a ``__pycache__`` file is the compilation of its source.

CPython imports ``pkg/mod.py`` by running ``pkg/__pycache__/mod.<tag>[.opt-N].pyc``
when that file looks current, and "current" is the pyc's own claim: a
timestamp pyc carries the source's mtime and size (both forgeable), a checked
hash pyc the source's hash (the code after it is not checked against it), an
unchecked-hash pyc nothing at all. So bytecode beside a clean source can run
anything.

The host writes these files itself when it imports a plugin, so they cannot be
part of the plugin's digest (see :mod:`mbcheck.digest`). Instead every cache
file whose source exists is checked, when a plugin is linted and again when
the gate admits it: it is accepted only when its code object is equal to
``compile(source, path, "exec", dont_inherit=True, optimize=N)`` — exactly
what CPython's import would compile. Code objects compare by their bytecode,
constants (nested code included), names, flags and line tables, not by file
name, so where the source was compiled does not matter.

A timestamp pyc whose recorded modification time and size differ from the
source's on disk is stale: CPython compiles the source instead (and the host
rewrites the cache), so it is not reported. That holds only for a directory,
whose sources have times; an archive's cache files are always proven.

``marshal.loads`` is not safe on hostile bytes (CPython's documentation says
so), so the comparison runs in a separate, isolated interpreter (``-I``)
under a timeout and an address-space limit; a crash, a timeout or anything
but "equal" means "cannot prove", and the file is refused.

Bytecode for another interpreter (``mod.cpython-312.pyc`` when mbcheck runs
on 3.11) cannot be proven here, and a host on that Python would run it:
linting reports it as a warning (this interpreter never loads it; a
developer's tree holds such files after tests on several Pythons), the gate
refuses it (run the gate with the host's own interpreter, or delete
``__pycache__``). A cache-named file without a source is never loaded by
import and is ignored. This module imports no libcst.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Final

#: the running interpreter's cache tag (``cpython-311``): the only bytecode it loads
CACHE_TAG: Final = sys.implementation.cache_tag
#: a cache file: ``[dir/]__pycache__/<module>.<tag>[.opt-<1|2>].pyc``
_CACHE_NAME: Final = re.compile(
    r"^(?P<dir>(?:.*/)?)__pycache__/(?P<stem>[^/.]+)\.(?P<tag>[^/.]+)(?:\.opt-(?P<opt>[12]))?\.pyc$"
)
#: seconds the proving interpreter may take per call, plus per file
_TIMEOUT_BASE: Final = 10.0
_TIMEOUT_PER_FILE: Final = 1.0
#: address space of the proving interpreter
_MEMORY_BYTES: Final = 1024 * 1024 * 1024
#: after this many crashes or timeouts the remaining files are not tried
_MAX_FAILURES: Final = 3

#: the proving interpreter: reads (optimize, pyc, source) records, answers one line each
_PROVER: Final = r"""
import marshal, sys
try:
    import resource
    resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
except Exception:
    pass
from importlib.util import MAGIC_NUMBER
read = sys.stdin.buffer.read
def field():
    return read(int.from_bytes(read(8), "little"))
for _ in range(int.from_bytes(read(4), "little")):
    optimize = read(1)[0]
    pyc = field()
    source = field()
    try:
        proven = (
            pyc[:4] == MAGIC_NUMBER
            and marshal.loads(pyc[16:]) == compile(source, "<source>", "exec", dont_inherit=True, optimize=optimize)
        )
    except BaseException:
        proven = False
    sys.stdout.write("1\n" if proven else "0\n")
    sys.stdout.flush()
"""


@dataclass(frozen=True, slots=True)
class CacheFile:
    """A bytecode cache file and the source it claims to be compiled from."""

    path: str
    source: str
    tag: str
    optimize: int


@dataclass(frozen=True, slots=True)
class BytecodeProblem:
    """A cache file mbcheck cannot vouch for: ``reason`` is ``unverified-bytecode`` or ``foreign-bytecode``."""

    path: str
    reason: str
    message: str


def is_cache_file(rel: str) -> bool:
    """Whether ``rel`` is named like a bytecode cache file (left out of the digest)."""
    return _CACHE_NAME.match(rel) is not None


def cache_file(rel: str) -> CacheFile | None:
    """What a cache file's name says: its source, interpreter tag and optimisation level."""
    match = _CACHE_NAME.match(rel)
    if match is None:
        return None
    return CacheFile(
        rel, f"{match['dir']}{match['stem']}.py", match["tag"], int(match["opt"] or 0)
    )


def _frame(items: list[tuple[int, bytes, bytes]]) -> bytes:
    parts = [len(items).to_bytes(4, "little")]
    for optimize, pyc, source in items:
        parts += [bytes([optimize]), len(pyc).to_bytes(8, "little"), pyc, len(source).to_bytes(8, "little"), source]
    return b"".join(parts)


#: (optimize, sha256 of the pyc, sha256 of the source) of every pyc this process proved: the proof
#: is a function of those bytes and this interpreter (a long-lived process, the language server,
#: proves a plugin's caches once, not at every run)
_PROVEN: set[tuple[int, str, str]] = set()


def prove(items: list[tuple[int, bytes, bytes]]) -> list[bool]:
    """For each ``(optimize, pyc bytes, source bytes)``: whether the pyc is the source's compilation.

    Runs in isolated interpreters; a file that crashes or hangs one is not
    proven, and the others are tried in a fresh one. What this process proved
    before is not proven again.
    """
    keys = [(optimize, hashlib.sha256(pyc).hexdigest(), hashlib.sha256(source).hexdigest())
            for optimize, pyc, source in items]
    todo = [index for index, key in enumerate(keys) if key not in _PROVEN]
    verdicts = dict(zip(todo, _prove([items[index] for index in todo]), strict=True)) if todo else {}
    for index, proven in verdicts.items():
        if proven:
            _PROVEN.add(keys[index])
    return [verdicts.get(index, True) for index in range(len(items))]


def _prove(items: list[tuple[int, bytes, bytes]]) -> list[bool]:
    """:func:`prove` in isolated interpreters, every item."""
    results: list[bool] = []
    failures = 0
    program = _PROVER.format(limit=_MEMORY_BYTES)
    while len(results) < len(items):
        if failures >= _MAX_FAILURES:
            results += [False] * (len(items) - len(results))
            break
        rest = items[len(results):]
        try:
            done = subprocess.run(
                [sys.executable, "-I", "-S", "-c", program],
                input=_frame(rest),
                capture_output=True,
                timeout=_TIMEOUT_BASE + _TIMEOUT_PER_FILE * len(rest),
                check=False,
                env={"PATH": os.environ.get("PATH", "")},
            )
            answers = done.stdout
        except subprocess.TimeoutExpired as exc:
            answers = exc.stdout or b""
        except OSError:
            return results + [False] * (len(items) - len(results))
        lines = answers.decode("ascii", "replace").splitlines()
        results += [line == "1" for line in lines[: len(rest)]]
        if len(results) < len(items):
            results.append(False)  # the file the interpreter died (or hung) on
            failures += 1
    return results


#: what :func:`check_bytecode` needs to know of a source on disk: its modification time and size
SourceStat = Callable[[str], "os.stat_result | None"]


def stale(pyc: bytes, source: os.stat_result) -> bool:
    """Whether CPython would ignore this timestamp pyc and compile the source instead.

    A timestamp pyc (flags 0) is loaded only when the modification time and size
    it records equal the source's own (``SourceLoader.get_code``); hash-based
    pycs carry no such check and are never stale here.
    """
    if len(pyc) < 16 or int.from_bytes(pyc[4:8], "little") != 0:
        return False
    mtime, size = int.from_bytes(pyc[8:12], "little"), int.from_bytes(pyc[12:16], "little")
    return (mtime, size) != (int(source.st_mtime) & 0xFFFFFFFF, source.st_size & 0xFFFFFFFF)


def check_bytecode(
    candidates: Iterable[str],
    names: Collection[str],
    read: Callable[[str], bytes | None],
    stat: SourceStat | None = None,
) -> list[BytecodeProblem]:
    """The cache files among ``candidates`` that the host could load and mbcheck cannot vouch for.

    ``names`` are the plugin's files (a cache file whose source is not among
    them is never loaded); ``read`` gives a file's bytes (None: unreadable).
    ``stat``, for a plugin on disk, gives a source's status: a timestamp pyc
    that does not match it is stale, never loaded (CPython compiles the source
    instead and the host rewrites the cache), and not reported. Without it (an
    archive: extraction sets new times) every cache file must be proven.
    """
    problems: list[BytecodeProblem] = []
    pending: list[tuple[CacheFile, bytes, bytes]] = []
    for rel in sorted(candidates):
        cached = cache_file(rel)
        if cached is None or cached.source not in names:
            continue
        pyc, source = read(rel), read(cached.source)
        if pyc is not None and stat is not None:
            status = stat(cached.source)
            if status is not None and stale(pyc, status):
                continue
        if cached.tag != CACHE_TAG:
            problems.append(BytecodeProblem(
                rel, "foreign-bytecode",
                f"bytecode for `{cached.tag}` beside `{cached.source}`: this mbcheck runs on `{CACHE_TAG}` and cannot "
                f"verify it, and a host on that Python would run it instead of the source; delete the "
                f"`__pycache__` directory, or check the plugin with the host's Python",
            ))
            continue
        if pyc is None or source is None:
            problems.append(BytecodeProblem(
                rel, "unverified-bytecode",
                f"bytecode beside `{cached.source}` cannot be read to be verified; delete the `__pycache__` directory",
            ))
            continue
        pending.append((cached, pyc, source))
    verdicts = prove([(cached.optimize, pyc, source) for cached, pyc, source in pending]) if pending else []
    for (cached, _pyc, _source), proven in zip(pending, verdicts, strict=True):
        if not proven:
            problems.append(BytecodeProblem(
                cached.path, "unverified-bytecode",
                f"bytecode that Python would run instead of `{cached.source}` is not the compilation of that "
                f"source (or cannot be verified); delete the `__pycache__` directory and ship sources only",
            ))
    problems.sort(key=lambda problem: problem.path)
    return problems


def directory_stat(root: os.PathLike[str] | str) -> SourceStat:
    """``stat`` for :func:`check_bytecode` of a plugin directory (links followed, as import does)."""

    def status(rel: str) -> os.stat_result | None:
        try:
            return os.stat(os.path.join(root, rel))
        except (OSError, ValueError):
            return None

    return status


__all__ = [
    "CACHE_TAG", "BytecodeProblem", "CacheFile", "cache_file", "check_bytecode", "directory_stat", "is_cache_file",
    "prove", "stale",
]
