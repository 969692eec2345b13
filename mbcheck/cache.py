"""A content-addressed cache of per-file outcomes and whole-run reports.

Key: the file's bytes, its module name, the mbcheck version (and a stamp of
its installed modules: an editable install changes code without changing the
version), the digest of the shipped rule data and the parts of the config
that change a file's analysis (a whole run's key: everything its report
depends on, see the engine).

What is in the cache directory is never trusted: whoever can write it (a
shared cache, a CI cache restored from another branch) must not be able to
run code in mbcheck or change a result.

- Entries are JSON data, rebuilt into mbcheck's frozen types by
  :mod:`mbcheck.codec` from the *declared* type (``FileOutcome``, ``Report``);
  nothing is unpickled, the data never names a class.
- Each entry is authenticated with HMAC-SHA256 under a random per-user key
  kept outside the cache (``$MBCHECK_CONFIG_DIR``, else
  ``$XDG_CONFIG_HOME/mbcheck``, else ``~/.config/mbcheck``: ``cache.key``,
  32 bytes, mode 0600). The MAC covers the entry's key and the mbcheck
  version, which the entry's header also records and which must equal the
  running one. A forged, foreign, moved, truncated or corrupt entry is a
  miss, never a result.
- The key file must be a regular file (not a symlink) owned by the user and
  unreadable by anyone else; the cache directory must be a directory (not a
  symlink) owned by the user and writable by no one else (it is created
  0700). Otherwise the cache is not used: :attr:`Cache.disabled_reason` says
  why and what to do, the run goes on uncached, and the command line prints
  it as a warning. This module never prints.
- No symlink is followed inside the cache: the directory is held open and
  every shard directory and entry is opened relative to it with
  ``O_NOFOLLOW``; an entry is written to a new temporary file in its shard
  and renamed over the old one.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import re
import secrets
import stat
import time
import weakref
from functools import cache
from pathlib import Path
from typing import Any

from mbcheck import __version__
from mbcheck.codec import CodecError, decode, encode
from mbcheck.context import FileOutcome
from mbcheck.model import Report

MAGIC = b"MBCHECK-CACHE-2\n"
KEY_FILE = "cache.key"
KEY_BYTES = 32
_MAC_HEX = 64
#: reads of a key file another run is creating (it may be empty for a moment)
_KEY_TRIES = 20
#: what the engine's keys look like (a hex digest, ``run-`` and one for a whole run)
_KEY_SHAPE = re.compile(r"[0-9a-z][0-9a-z-]{2,}")
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


class CacheUnavailable(Exception):
    """The cache cannot be used safely; the message says why and what to do."""


def default_cache_dir() -> Path:
    env = os.environ.get("MBCHECK_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "mbcheck"


def default_config_dir() -> Path:
    """Where the cache key lives: ``$MBCHECK_CONFIG_DIR``, else ``$XDG_CONFIG_HOME/mbcheck``, else ``~/.config/mbcheck``."""
    env = os.environ.get("MBCHECK_CONFIG_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "mbcheck"


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


# ---------------------------------------------------------------------------
# the key and the directory


def _only_mine(info: os.stat_result, what: str, path: Path, forbidden: int, fix: str) -> None:
    """Refuse a file or directory someone else owns or may change (or, for the key, read)."""
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        raise CacheUnavailable(f"{what} {path} is owned by another user (uid {info.st_uid}); {fix}")
    if info.st_mode & forbidden:
        others = "read or written" if forbidden & 0o044 else "written"
        raise CacheUnavailable(
            f"{what} {path} can be {others} by other users (mode {stat.S_IMODE(info.st_mode):04o}); {fix}"
        )


def load_key(directory: Path | None = None) -> bytes:
    """The user's cache key, created on first use (:class:`CacheUnavailable` if it is not safe to use)."""
    directory = default_config_dir() if directory is None else directory
    path = directory / KEY_FILE
    remove = "remove it (mbcheck then creates a new key) or set MBCHECK_CONFIG_DIR; until then the cache is off"
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise CacheUnavailable(
            f"cannot create {directory} for the cache key ({exc.strerror}); "
            "set MBCHECK_CONFIG_DIR to a directory of yours, or use --no-cache"
        ) from None
    for _ in range(_KEY_TRIES):
        try:
            fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _CLOEXEC | getattr(os, "O_NONBLOCK", 0))
        except FileNotFoundError:
            _create_key(path)
            continue
        except OSError as exc:
            if os.path.islink(path):
                raise CacheUnavailable(f"the cache key {path} is a symbolic link; {remove}") from None
            raise CacheUnavailable(f"cannot read the cache key {path} ({exc.strerror}); {remove}") from None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise CacheUnavailable(f"the cache key {path} is not a regular file; {remove}")
            _only_mine(info, "the cache key", path, 0o077, remove)
            key = os.read(fd, KEY_BYTES + 1)
        finally:
            os.close(fd)
        if len(key) == KEY_BYTES:
            return key
        if len(key) > KEY_BYTES or time.time() - info.st_mtime > 2:
            break
        time.sleep(0.05)  # another run is writing the key it just created
    raise CacheUnavailable(f"the cache key {path} is not a {KEY_BYTES}-byte key (damaged?); {remove}")


def _create_key(path: Path) -> None:
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | _NOFOLLOW | _CLOEXEC, 0o600)
    except FileExistsError:
        return  # made meanwhile (another run): read that one
    except OSError as exc:
        raise CacheUnavailable(
            f"cannot create the cache key {path} ({exc.strerror}); "
            "set MBCHECK_CONFIG_DIR to a directory of yours, or use --no-cache"
        ) from None
    try:
        key = secrets.token_bytes(KEY_BYTES)
        written = os.write(fd, key)
        os.fsync(fd)
    finally:
        os.close(fd)
    if written != KEY_BYTES:
        raise CacheUnavailable(f"could not write the cache key {path}; remove it and try again")


def _open_directory(directory: Path) -> int:
    """The cache directory held open (created 0700), after checking only the user can change it."""
    fix = "use a directory only you can write (--cache-dir or MBCHECK_CACHE_DIR), or --no-cache"
    try:
        directory.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            os.mkdir(directory, 0o700)
    except OSError as exc:
        raise CacheUnavailable(f"cannot create the cache directory {directory} ({exc.strerror}); {fix}") from None
    try:
        fd = os.open(directory, os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC)
    except OSError as exc:
        if os.path.islink(directory):
            raise CacheUnavailable(
                f"the cache directory {directory} is a symbolic link; name the directory it points to instead, or {fix}"
            ) from None
        raise CacheUnavailable(f"cannot open the cache directory {directory} ({exc.strerror}); {fix}") from None
    try:
        _only_mine(os.fstat(fd), "the cache directory", directory, 0o022, fix)
    except BaseException:
        os.close(fd)
        raise
    return fd


# ---------------------------------------------------------------------------
# the cache


class Cache:
    """Outcomes and reports by key. Unusable (see :attr:`disabled_reason`), it stores and finds nothing."""

    def __init__(self, directory: Path, salt: str, *, key_dir: Path | None = None) -> None:
        self.directory = directory
        self.salt = salt
        self.hits = 0
        self.misses = 0
        #: why the cache is not used (None: it is)
        self.disabled_reason: str | None = None
        self._key = b""
        self._fd = -1
        if not (_NOFOLLOW and _DIRECTORY and os.open in os.supports_dir_fd):
            self.disabled_reason = "this system cannot open files without following symbolic links"
            return
        try:
            self._key = load_key(key_dir)
            self._fd = _open_directory(directory)
        except CacheUnavailable as exc:
            self.disabled_reason = str(exc)
            return
        except OSError as exc:  # anything else the file system says: run uncached
            self.disabled_reason = f"{exc}; use --cache-dir, or --no-cache"
            return
        self._close = weakref.finalize(self, os.close, self._fd)

    @property
    def enabled(self) -> bool:
        return self.disabled_reason is None

    def close(self) -> None:
        if self._fd >= 0:
            self._close()
            self._fd = -1

    # -- the API the engine uses

    def get(self, key: str) -> FileOutcome | None:
        outcome = self._load(key, FileOutcome)
        if outcome is None:
            self.misses += 1
        else:
            self.hits += 1
        return outcome  # type: ignore[no-any-return]

    def put(self, key: str, outcome: FileOutcome) -> None:
        self._store(key, outcome, FileOutcome)

    def get_report(self, key: str) -> Report | None:
        """A whole run's report, stored under a run key (see the engine)."""
        return self._load(key, Report)  # type: ignore[no-any-return]

    def put_report(self, key: str, report: Report) -> None:
        self._store(key, report, Report)

    # -- entries

    @staticmethod
    def _names(key: str) -> tuple[str, str]:
        if not _KEY_SHAPE.fullmatch(key):
            raise ValueError(f"not a cache key: {key!r}")
        return key[:2], f"{key[2:]}.bin"

    def _mac(self, key: str, body: bytes) -> bytes:
        return hmac.new(self._key, key.encode() + b"\0" + body, hashlib.sha256).hexdigest().encode()

    def seal(self, key: str, value: Any, declared: type) -> bytes:
        """The bytes of an entry holding ``value`` under ``key``."""
        header = json.dumps({"mbcheck": __version__, "key": key, "type": declared.__name__}, separators=(",", ":"))
        payload = json.dumps(encode(value, declared), separators=(",", ":"), allow_nan=False)
        body = f"{header}\n{payload}".encode()
        return MAGIC + self._mac(key, body) + b"\n" + body

    def unseal(self, key: str, blob: bytes, declared: type) -> Any:
        """The value an entry holds, or None when it is not an authentic entry for ``key`` of this version."""
        start = len(MAGIC) + _MAC_HEX + 1
        if not blob.startswith(MAGIC) or len(blob) < start or blob[start - 1 : start] != b"\n":
            return None
        body = blob[start:]
        if not hmac.compare_digest(blob[len(MAGIC) : start - 1], self._mac(key, body)):
            return None
        try:
            header_text, _, payload = body.partition(b"\n")
            header = json.loads(header_text)
            if header != {"mbcheck": __version__, "key": key, "type": declared.__name__}:
                return None
            return decode(json.loads(payload), declared)
        except (CodecError, ValueError, RecursionError):
            return None

    def _shard(self, name: str, create: bool) -> int:
        if create:
            with contextlib.suppress(FileExistsError):
                os.mkdir(name, 0o700, dir_fd=self._fd)
        fd = os.open(name, os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC, dir_fd=self._fd)
        try:
            info = os.fstat(fd)
            if (hasattr(os, "getuid") and info.st_uid != os.getuid()) or info.st_mode & 0o022:
                raise PermissionError(f"cache shard {name} can be changed by other users")
        except BaseException:
            os.close(fd)
            raise
        return fd

    def _load(self, key: str, declared: type) -> Any:
        if self._fd < 0:
            return None
        try:
            shard, name = self._names(key)
            shard_fd = self._shard(shard, create=False)
            try:
                fd = os.open(name, os.O_RDONLY | _NOFOLLOW | _CLOEXEC | getattr(os, "O_NONBLOCK", 0), dir_fd=shard_fd)
            finally:
                os.close(shard_fd)
            with os.fdopen(fd, "rb") as handle:
                if not stat.S_ISREG(os.fstat(fd).st_mode):
                    return None
                blob = handle.read()
        except (OSError, ValueError):
            return None
        return self.unseal(key, blob, declared)

    def _store(self, key: str, value: Any, declared: type) -> None:
        if self._fd < 0:
            return
        try:
            blob = self.seal(key, value, declared)
        except (CodecError, ValueError, RecursionError):
            return  # a value the codec cannot store is simply not cached
        try:
            shard, name = self._names(key)
            self._write_ignore_file()
            shard_fd = self._shard(shard, create=True)
        except (OSError, ValueError):
            return  # a read-only or full cache never fails the run
        tmp = f".tmp-{secrets.token_hex(8)}"
        try:
            fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY | _NOFOLLOW | _CLOEXEC, 0o600, dir_fd=shard_fd)
            with os.fdopen(fd, "wb") as handle:
                handle.write(blob)
            os.replace(tmp, name, src_dir_fd=shard_fd, dst_dir_fd=shard_fd)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp, dir_fd=shard_fd)
        finally:
            os.close(shard_fd)

    def _write_ignore_file(self) -> None:
        """A ``.gitignore`` that keeps a cache inside a checkout out of version control."""
        try:
            fd = os.open(".gitignore", os.O_CREAT | os.O_EXCL | os.O_WRONLY | _NOFOLLOW | _CLOEXEC, 0o600,
                         dir_fd=self._fd)
        except OSError:
            return
        with os.fdopen(fd, "wb") as handle:
            handle.write(b"*\n")
