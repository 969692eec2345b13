"""A content-addressed cache of per-file outcomes.

Key: the file's bytes, its module name, the mbcheck version (and a stamp of
its installed modules: an editable install changes code without changing the
version), the digest of the shipped rule data and the parts of the config
that change a file's analysis. Entries are written atomically (temp file + rename) and carry a
checksum; a corrupt, truncated or foreign entry is ignored and recomputed.
Unpickling is restricted to mbcheck's own data classes.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from mbcheck import __version__
from mbcheck.context import FileOutcome
from mbcheck.model import Report

MAGIC = b"MBCHECK-CACHE-1\n"
_SAFE_BUILTINS = frozenset({"frozenset", "set", "tuple", "list", "dict", "str", "int", "float", "bool", "bytes"})


def default_cache_dir() -> Path:
    env = os.environ.get("MBCHECK_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "mbcheck"


class _RestrictedUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if module == "builtins" and name in _SAFE_BUILTINS:
            return super().find_class(module, name)
        if module.startswith("mbcheck.") or module == "mbcheck":
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing {module}.{name}")


@cache
def code_stamp() -> str:
    """A stamp of mbcheck's own modules: each one's path, size and modification time."""
    root = Path(__file__).resolve().parent
    entries = []
    for path in sorted(root.rglob("*.py")):
        try:
            info = path.stat()
        except OSError:
            continue
        entries.append(f"{path.relative_to(root)}:{info.st_size}:{info.st_mtime_ns}")
    return hashlib.sha256("\n".join(entries).encode()).hexdigest()[:16]


def run_key(material: str) -> str:
    """The key of a whole run's report (``material`` names everything it depends on)."""
    return "run-" + hashlib.sha256(f"{__version__}\0{code_stamp()}\0{material}".encode()).hexdigest()


def file_key(data_sha: str, module_name: str, is_package: bool, salt: str) -> str:
    material = "\0".join((__version__, code_stamp(), salt, data_sha, module_name, str(is_package)))
    return hashlib.sha256(material.encode()).hexdigest()


class Cache:
    def __init__(self, directory: Path, salt: str) -> None:
        self.directory = directory
        self.salt = salt
        self.hits = 0
        self.misses = 0

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key[2:]}.bin"

    def get(self, key: str) -> FileOutcome | None:
        path = self._path(key)
        try:
            blob = path.read_bytes()
        except OSError:
            self.misses += 1
            return None
        outcome = self._decode(blob)
        if outcome is None:
            self.misses += 1
            return None
        self.hits += 1
        return outcome

    def get_report(self, key: str) -> Report | None:
        """A whole run's report, stored under a run key (see the engine)."""
        try:
            blob = self._path(key).read_bytes()
        except OSError:
            return None
        value = self._decode_any(blob)
        return value if isinstance(value, Report) else None

    def put_report(self, key: str, report: Report) -> None:
        self._store(key, report)

    @staticmethod
    def _decode(blob: bytes) -> FileOutcome | None:
        value = Cache._decode_any(blob)
        return value if isinstance(value, FileOutcome) else None

    @staticmethod
    def _decode_any(blob: bytes) -> object:
        if not blob.startswith(MAGIC) or len(blob) < len(MAGIC) + 64:
            return None
        checksum = blob[len(MAGIC) : len(MAGIC) + 64]
        payload = blob[len(MAGIC) + 64 :]
        if hashlib.sha256(payload).hexdigest().encode() != checksum:
            return None
        try:
            return _RestrictedUnpickler(io.BytesIO(payload)).load()
        except Exception:
            return None

    def put(self, key: str, outcome: FileOutcome) -> None:
        self._store(key, outcome)

    def _store(self, key: str, value: object) -> None:
        try:
            payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:
            return
        blob = MAGIC + hashlib.sha256(payload).hexdigest().encode() + payload
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            ignore = self.directory / ".gitignore"
            if not ignore.exists():
                ignore.write_text("*\n")
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as handle:
                handle.write(blob)
            os.replace(tmp, path)
        except OSError:
            return  # a read-only or full cache never fails the run
