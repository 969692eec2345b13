"""Generate ``rules/compat/stdlib.json`` from typeshed's standard-library stubs.

A maintainer tool, never run at lint time::

    python -m mbcheck.checks.compat.generate --out rules/compat/stdlib.json SNAPSHOT...

Each ``SNAPSHOT`` is a pinned source archive (``.tar.gz``) or pure-Python
wheel (``.whl``, a zip) that ships a copy of typeshed's ``stdlib`` directory
(mypy's sdist and wheel have it under ``mypy/typeshed/stdlib/``,
typeshed_client's sdist under ``typeshed_client/typeshed/``), or such a
directory itself. The stubs are read with :mod:`ast` only:

* ``stdlib/VERSIONS`` dates modules (``asyncio.taskgroups: 3.11-``,
  ``distutils: 3.0-3.11``: removed in 3.12);
* ``if sys.version_info >= (3, N):`` / ``< (3, N)`` blocks (and their
  ``else``) date module members, class members (methods, attributes, nested
  classes, members inherited from a base class) and the keyword parameters
  of functions, methods and class constructors, from every overload and
  version branch together;
* re-exports (``from _socket import SOL_SCO as SOL_SCO``, ``from .tasks import *``,
  names in ``__all__``) make a member of the module that re-exports it.

typeshed drops the version branches of Pythons it no longer supports (the
copy in a current release has none below 3.11, so ``str.removeprefix``
appears unguarded there), so several snapshots are merged, newest first: the
newest snapshot that knows a name decides; when it shows the name unguarded,
the newest older snapshot that still has the guard (at or below the newer
one's oldest supported release) gives ``added``; names only older snapshots
know are kept when they record a removal. Only version-relevant entries are
written (added after 3.0, or removed). A short hand list (:data:`OVERRIDES`)
adds what stubs cannot say: security fixes backported to older patch releases;
:data:`CORRECTIONS` holds the few names the stubs miss or misdate.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import sys
import tarfile
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: a version constraint on a definition: the running Python 3 minor is ``>= low`` and ``< high``
#: (None: unbounded on that side)
Interval = tuple[int | None, int | None]
ALWAYS: Interval = (None, None)
NEVER: Interval = (99, 0)

#: Names whose history the stubs cannot express: security fixes backported to
#: older patch releases, which typeshed shows as present everywhere. The
#: ``tarfile`` extraction filters (PEP 706) and the integer string conversion
#: limit (CVE-2020-10735) are 3.12 and 3.11 features that also reached the
#: listed patch releases.
OVERRIDES: dict[str, dict[str, Any]] = {
    **{
        name: {"added": "3.11", "backported": ["3.7.14", "3.8.14", "3.9.14", "3.10.7"]}
        for name in ("sys.get_int_max_str_digits", "sys.set_int_max_str_digits")
    },
    **{
        name: {"added": "3.12", "backported": ["3.8.17", "3.9.17", "3.10.12", "3.11.4"]}
        for name in (
            "tarfile.AbsoluteLinkError",
            "tarfile.AbsolutePathError",
            "tarfile.FilterError",
            "tarfile.LinkOutsideDestinationError",
            "tarfile.OutsideDestinationError",
            "tarfile.SpecialFileError",
            "tarfile.TarFile.extraction_filter",
            "tarfile.TarInfo.replace",
            "tarfile.data_filter",
            "tarfile.fully_trusted_filter",
            "tarfile.tar_filter",
        )
    },
}

#: Names the stubs miss or date differently from CPython itself (each was
#: checked by introspecting CPython 3.6 to 3.13 and against the library
#: reference): constants and functions typeshed re-exports from private
#: modules in ways it does not date (``ast.PyCF_*``, ``ssl.HAS_*``), names it
#: declares everywhere for type checkers (``typing.Protocol``), 3.13/3.14
#: additions it lacks (``array.array.clear``, ``operator.is_none``) and a few
#: it dates one release late or early (``io.text_encoding`` is 3.10,
#: ``sqlite3.version`` was removed in 3.14).
CORRECTIONS: dict[str, dict[str, Any]] = {
    "array.array.clear": {"added": "3.13"},
    "ast.PyCF_ALLOW_TOP_LEVEL_AWAIT": {"added": "3.8"},
    "ast.PyCF_OPTIMIZED_AST": {"added": "3.13"},
    "ast.PyCF_TYPE_COMMENTS": {"added": "3.8"},
    "asyncio.AbstractEventLoopPolicy.get_child_watcher": {"removed": "3.14"},
    "asyncio.AbstractEventLoopPolicy.set_child_watcher": {"removed": "3.14"},
    "bz2.BZ2File.mode": {"added": "3.13"},
    "bz2.BZ2File.name": {"added": "3.13"},
    "decimal.IEEEContext": {"added": "3.14"},
    "html.parser.HTMLParser.unescape": {"removed": "3.9"},
    "importlib.machinery.AppleFrameworkLoader": {"added": "3.13"},
    "importlib.util.source_hash": {"added": "3.7"},
    "inspect.Signature.from_builtin": {"removed": "3.11"},
    "inspect.Signature.from_function": {"removed": "3.11"},
    "io.text_encoding": {"added": "3.10"},
    "locale.localize": {"added": "3.10"},
    "lzma.LZMAFile.mode": {"added": "3.13"},
    "lzma.LZMAFile.name": {"added": "3.13"},
    "operator.call": {"added": "3.11"},
    "operator.is_none": {"added": "3.14"},
    "operator.is_not_none": {"added": "3.14"},
    "os.PathLike": {"added": "3.6"},
    "os.errno": {"removed": "3.7"},
    "os.eventfd": {"added": "3.10"},
    "os.eventfd_read": {"added": "3.10"},
    "os.eventfd_write": {"added": "3.10"},
    "os.preadv": {"added": "3.7"},
    "os.pwritev": {"added": "3.7"},
    "os.splice": {"added": "3.10"},
    "platform.popen": {"removed": "3.8"},
    "plistlib.Plist": {"removed": "3.7"},
    "socket.close": {"added": "3.7"},
    "sqlite3.LEGACY_TRANSACTION_CONTROL": {"added": "3.12"},
    "sqlite3.OptimizedUnicode": {"removed": "3.12"},
    "sqlite3.version": {"removed": "3.14"},
    "ssl.HAS_PSK": {"added": "3.13"},
    "ssl.HAS_SSLv2": {"added": "3.7"},
    "ssl.HAS_SSLv3": {"added": "3.7"},
    "ssl.HAS_TLSv1": {"added": "3.7"},
    "ssl.HAS_TLSv1_1": {"added": "3.7"},
    "ssl.HAS_TLSv1_2": {"added": "3.7"},
    "ssl.RAND_pseudo_bytes": {"removed": "3.12"},
    "ssl.SSLContext.num_tickets": {"added": "3.8"},
    "ssl.SSLContext.sslsocket_class": {"added": "3.7"},
    "string.Template.braceidpattern": {"added": "3.7"},
    "sys.__breakpointhook__": {"added": "3.7"},
    "sys.__unraisablehook__": {"added": "3.8"},
    "sys.get_coroutine_origin_tracking_depth": {"added": "3.7"},
    "sys.getfilesystemencodeerrors": {"added": "3.6"},
    "sys.set_coroutine_origin_tracking_depth": {"added": "3.7"},
    "threading.__excepthook__": {"added": "3.10"},
    "time.pthread_getcpuclockid": {"added": "3.7"},
    "types.CoroutineType.cr_origin": {"added": "3.7"},
    "typing.Protocol": {"added": "3.8"},
    "typing.io": {"removed": "3.13"},
    "typing.re": {"removed": "3.13"},
    "typing.runtime_checkable": {"added": "3.8"},
    "urllib.parse.Quoter": {"removed": "3.14"},
    "xml.etree.ElementTree.XMLParser.flush": {"added": "3.13"},
    "xml.etree.ElementTree.XMLPullParser.flush": {"added": "3.13"},
    "zipimport.zipimporter.create_module": {"added": "3.10"},
    "zipimport.zipimporter.exec_module": {"added": "3.10"},
}

#: Names typeshed declares for every release or lacks, dated by the library reference. Each
#: entry quotes the "Added in version" / "Changed in version" note of its page
#: (docs.python.org/3/library/...); typeshed's stubs cannot say these because the name was
#: declared before the stubs recorded version branches, or re-exported from a private module.
DOCUMENTED: dict[str, dict[str, Any]] = {
    # ssl: PROTOCOL_TLS "Added in version 3.6."; the AlertDescription and SSLErrorNumber
    # enums: "Added in version 3.6."; get_ciphers(): "Added in version 3.6.";
    # OP_IGNORE_UNEXPECTED_EOF: "Added in version 3.10."
    "ssl.PROTOCOL_TLS": {"added": "3.6"},
    "ssl.AlertDescription": {"added": "3.6"},
    "ssl.SSLErrorNumber": {"added": "3.6"},
    "ssl.SSLContext.get_ciphers": {"added": "3.6"},
    "ssl.OP_IGNORE_UNEXPECTED_EOF": {"added": "3.10"},
    # os.getrandom's flags GRND_NONBLOCK, GRND_RANDOM: "Added in version 3.6."
    "os.GRND_NONBLOCK": {"added": "3.6"},
    "os.GRND_RANDOM": {"added": "3.6"},
    # os.preadv/pwritev flags RWF_DSYNC, RWF_HIPRI, RWF_NOWAIT, RWF_SYNC: "Added in version 3.7."
    **{f"os.{name}": {"added": "3.7"} for name in ("RWF_DSYNC", "RWF_HIPRI", "RWF_NOWAIT", "RWF_SYNC")},
    # select: "Added in version 3.6: EPOLLEXCLUSIVE was added."
    "select.EPOLLEXCLUSIVE": {"added": "3.6"},
    # mmap: "Added in version 3.7: The ACCESS_DEFAULT constant."
    "mmap.ACCESS_DEFAULT": {"added": "3.7"},
    # sys.getandroidapilevel(): "Added in version 3.7."
    "sys.getandroidapilevel": {"added": "3.7"},
    # fcntl: "Changed in version 3.11: On FreeBSD, the fcntl module exposes the F_DUP2FD and
    # F_DUP2FD_CLOEXEC constants"
    "fcntl.F_DUP2FD": {"added": "3.11"},
    "fcntl.F_DUP2FD_CLOEXEC": {"added": "3.11"},
    # resource.RLIMIT_KQUEUES: "Added in version 3.10."
    "resource.RLIMIT_KQUEUES": {"added": "3.10"},
    # xml.etree.ElementTree.TreeBuilder.start_ns() / end_ns(): "Added in version 3.8."
    **{
        f"xml.etree.{module}.TreeBuilder.{name}": {"added": "3.8"}
        for module in ("ElementTree", "cElementTree")
        for name in ("start_ns", "end_ns")
    },
    # logging.handlers.WatchedFileHandler.reopenIfNeeded(): "Added in version 3.6."
    "logging.handlers.WatchedFileHandler.reopenIfNeeded": {"added": "3.6"},
    # email.policy.Policy.message_factory: "Added in version 3.6."
    "email.policy.Policy.message_factory": {"added": "3.6"},
    # socket.SO_REUSEPORT_LB: "Added in version 3.14." (FreeBSD)
    "socket.SO_REUSEPORT_LB": {"added": "3.14"},
    # os.path.ALLOW_MISSING: "Added in version 3.14." -- a fix for CVE-2025-4517 that also
    # reached the listed security releases, where typeshed declares it for every release
    **{
        f"{module}.ALLOW_MISSING": {"added": "3.14", "backported": ["3.9.23", "3.10.18", "3.11.13", "3.12.11", "3.13.4"]}
        for module in ("os.path", "posixpath", "ntpath")
    },
    # pyclbr: Function.parent, Function.children, Class.parent, Class.children:
    # "Added in version 3.7."
    **{f"pyclbr.{cls}.{name}": {"added": "3.7"} for cls in ("Class", "Function") for name in ("parent", "children")},
}

_PEP_706 = ["3.8.17", "3.9.17", "3.10.12", "3.11.4"]
_CVE_2023_27043 = ["3.9.20", "3.10.15", "3.11.10", "3.12.5"]

#: Keyword parameters the stubs cannot date: they declare them for every release (a
#: parameter that was positional-only before, or a security fix that reached older patch
#: releases) or behind ``**kwargs``. Each is the library reference's "Changed in version"
#: note for that callable.
KEYWORD_CORRECTIONS: dict[str, dict[str, dict[str, Any]]] = {
    # bytes.translate: "Changed in version 3.6: delete is now supported as a keyword argument."
    "builtins.bytes.translate": {"delete": {"added": "3.6"}},
    "builtins.bytearray.translate": {"delete": {"added": "3.6"}},
    # zlib.compress: "Changed in version 3.6: level can now be used as a keyword parameter."
    "zlib.compress": {"level": {"added": "3.6"}},
    # zlib.decompress: "Changed in version 3.6: wbits and bufsize can be used as keyword arguments."
    "zlib.decompress": {"wbits": {"added": "3.6"}, "bufsize": {"added": "3.6"}},
    # asyncio streams: "Changed in version 3.7: Added the ssl_handshake_timeout and start_serving parameters."
    "asyncio.start_server": {"ssl_handshake_timeout": {"added": "3.7"}, "start_serving": {"added": "3.7"}},
    "asyncio.start_unix_server": {"ssl_handshake_timeout": {"added": "3.7"}, "start_serving": {"added": "3.7"}},
    # open_connection / open_unix_connection: "Changed in version 3.7: Added the ssl_handshake_timeout parameter."
    "asyncio.open_connection": {"ssl_handshake_timeout": {"added": "3.7"}},
    "asyncio.open_unix_connection": {"ssl_handshake_timeout": {"added": "3.7"}},
    # hashlib: "Changed in version 3.9: All hashlib constructors take a keyword-only argument usedforsecurity"
    **{
        f"hashlib.{name}": {"usedforsecurity": {"added": "3.9"}}
        for name in (
            "new", "md5", "sha1", "sha224", "sha256", "sha384", "sha512", "blake2b", "blake2s",
            "sha3_224", "sha3_256", "sha3_384", "sha3_512", "shake_128", "shake_256",
        )
    },
    # os.sendfile: "Changed in version 3.9: Parameters out and in was renamed to out_fd and in_fd."
    "os.sendfile": {"out_fd": {"added": "3.9"}, "in_fd": {"added": "3.9"}},
    # random.sample: "Changed in version 3.9: Added the counts parameter."
    "random.sample": {"counts": {"added": "3.9"}},
    "random.Random.sample": {"counts": {"added": "3.9"}},
    # tarfile / shutil.unpack_archive: "Changed in version 3.12: Added the filter parameter."
    # (PEP 706: also in the listed security releases)
    "tarfile.TarFile.extract": {"filter": {"added": "3.12", "backported": _PEP_706}},
    "tarfile.TarFile.extractall": {"filter": {"added": "3.12", "backported": _PEP_706}},
    "shutil.unpack_archive": {"filter": {"added": "3.12", "backported": _PEP_706}},
    # email.utils: "Changed in version 3.13: Add strict optional parameter" (CVE-2023-27043,
    # also in the listed security releases)
    "email.utils.getaddresses": {"strict": {"added": "3.13", "backported": _CVE_2023_27043}},
    "email.utils.parseaddr": {"strict": {"added": "3.13", "backported": _CVE_2023_27043}},
    # os.path.realpath: "Changed in version 3.10: The strict parameter was added." (the
    # stubs dropped the branch when ALLOW_MISSING reached 3.9 security releases)
    **{f"{module}.realpath": {"strict": {"added": "3.10"}} for module in ("os.path", "posixpath", "ntpath")},
    # email.mime classes: "Changed in version 3.6: Added policy keyword-only parameter."
    **{
        f"email.mime.{module}.{cls}": {"policy": {"added": "3.6"}}
        for module, cls in (
            ("application", "MIMEApplication"), ("audio", "MIMEAudio"), ("base", "MIMEBase"),
            ("image", "MIMEImage"), ("message", "MIMEMessage"), ("multipart", "MIMEMultipart"),
            ("nonmultipart", "MIMENonMultipart"), ("text", "MIMEText"),
        )
    },
    # xml.dom.minidom Node.writexml / Document.writexml: "Changed in version 3.9: The standalone
    # parameter was added."
    "xml.dom.minidom.Node.writexml": {"standalone": {"added": "3.9"}},
    "xml.dom.minidom.Document.writexml": {"standalone": {"added": "3.9"}},
    # ArgumentParser.add_argument: "Changed in version 3.13: Added the deprecated parameter." (**kwargs in the stubs)
    "argparse.ArgumentParser.add_argument": {"deprecated": {"added": "3.13"}},
    # Executor.map: "Changed in version 3.14: Added the buffersize parameter."
    "concurrent.futures.Executor.map": {"buffersize": {"added": "3.14"}},
    "concurrent.futures.ThreadPoolExecutor.map": {"buffersize": {"added": "3.14"}},
    "concurrent.futures.ProcessPoolExecutor.map": {"buffersize": {"added": "3.14"}},
}

#: Callables that take the keyword parameters of another, as the library reference says
#: ("The full function signature is the same as that of the Popen constructor"): a keyword
#: both accept is dated as the other dates it when the stubs do not date it here.
KEYWORDS_AS: dict[str, str] = {
    "subprocess.call": "subprocess.Popen",
    "subprocess.check_call": "subprocess.Popen",
    "subprocess.check_output": "subprocess.Popen",
}

#: Entries the stubs date wrongly, dropped (introspection of CPython 3.11 has them):
#: typeshed 2.15 declares ``ctypes.POINTER``/``pointer`` anew for 3.14 and
#: ``enum.IntEnum.name`` for 3.12; ``pdb.Pdb.execRcLines`` is still there; ``sys.UnraisableHookArgs`` is a stub-only name.
DROPPED: frozenset[str] = frozenset(
    {"ctypes.POINTER", "ctypes.pointer", "enum.IntEnum.name", "pdb.Pdb.execRcLines", "sys.UnraisableHookArgs"}
)

#: Removals every generated table must record (PEP 594 and the 3.12/3.13
#: removal lists of "What's New"): a cross-check of the stubs, run by the tests.
EXPECTED_REMOVALS: dict[str, str] = {
    **{
        module: "3.13"
        for module in (
            "aifc", "audioop", "cgi", "cgitb", "chunk", "crypt", "imghdr", "mailcap", "msilib", "nis",
            "nntplib", "ossaudiodev", "pipes", "sndhdr", "spwd", "sunau", "telnetlib", "uu", "xdrlib",
            "lib2to3", "tkinter.tix",
        )
    },
    **{module: "3.12" for module in ("distutils", "imp", "asynchat", "asyncore", "smtpd")},
    "unittest.TestCase.assertEquals": "3.12",
    "unittest.TestCase.failUnless": "3.12",
    "unittest.TestCase.assertRegexpMatches": "3.12",
    "unittest.findTestCases": "3.13",
    "configparser.SafeConfigParser": "3.12",
    "configparser.RawConfigParser.readfp": "3.12",
    "locale.resetlocale": "3.13",
    "ssl.wrap_socket": "3.12",
    "ssl.match_hostname": "3.12",
    "gzip.GzipFile.filename": "3.12",
    "importlib.abc.Finder": "3.12",
    "pathlib.PurePath.is_reserved": "3.15",
}

_PRIVATE_ROOTS = ("@python2", "@tests")


@dataclass(frozen=True)
class Pin:
    """A pinned snapshot: a PyPI source distribution that ships typeshed's stdlib stubs.

    ``floor``: the oldest Python its typeshed still supported. Below that the
    copy has no version branches, so a name it shows unguarded may be newer than
    3.0, but no newer than ``floor``.
    """

    name: str
    version: str
    sha256: str
    floor: int
    #: ``sdist`` (a ``.tar.gz``) or ``wheel`` (a pure-Python ``py3-none-any`` wheel, a zip)
    kind: str = "sdist"

    @property
    def filename(self) -> str:
        if self.kind == "wheel":
            return f"{self.name}-{self.version}-py3-none-any.whl"
        return f"{self.name}-{self.version}.tar.gz"

    @property
    def pip_download(self) -> list[str]:
        """The ``pip download`` arguments that fetch this snapshot (without the target folder)."""
        binary = ["--only-binary", ":all:", "--platform", "any", "--python-version", "3.12"] if self.kind == "wheel" else ["--no-binary", ":all:"]
        return ["download", "--no-deps", *binary, self.requirement]

    @property
    def requirement(self) -> str:
        return f"{self.name}=={self.version}"


#: The snapshots ``rules/compat/stdlib.json`` is generated from, oldest first.
#: mypy 0.790's typeshed (old layout) still has the 3.6 branches, 0.910's the
#: 3.7 ones, 1.4.1's the 3.8 to 3.10 ones; 1.14.1 (December 2024) keeps the 3.9
#: branches and 1.18.2 (September 2025) the 3.10 ones for what typeshed learnt
#: after mid-2023; mypy 2.0.0 (wheel) is the newest release that still has the
#: 3.10 branches, mypy 2.4.1 (wheel) has 3.11 to 3.15; typeshed_client 2.15.0
#: (November 2026) is the newest copy. mypy 2.x ships no sdist pip can prepare,
#: so those two are read from their pure-Python wheels.
PINNED: tuple[Pin, ...] = (
    Pin("mypy", "0.790", "2b21ba45ad9ef2e2eb88ce4aeadd0112d0f5026418324176fd494a6824b74975", 5),
    Pin("mypy", "0.910", "704098302473cb31a218f1775a873b376b30b4c18229421e9e9dc8916fd16150", 6),
    Pin("mypy", "1.4.1", "9bbcd9ab8ea1f2e1c8031c21445b511442cc45c89951e49bbf852cbb70755b1b", 7),
    Pin("mypy", "1.14.1", "7ec88144fe9b510e8475ec2f5f251992690fcf89ccb4500b214b4226abcd32d6", 8),
    Pin("mypy", "1.18.2", "06a398102a5f203d7477b2923dda3634c36727fa5c237d8f859ef90c42a9924b", 9),
    Pin("mypy", "2.0.0", "8a92b2be3146b4fa1f062af7eb05574cbf3e6eb8e1f14704af1075423144e4e5", 9, "wheel"),
    Pin("mypy", "2.4.1", "1784648d6ec8c2b5465e3f26241b845a0b3cb4e56c993c64abe16989e7698999", 10, "wheel"),
    Pin("typeshed_client", "2.15.0", "c1546a777054bee2128e27bb50b455400a18f80962a503d53507daece5c3eb45", 10),
)


# ---------------------------------------------------------------------------
# intervals


def _meet(a: Interval, b: Interval) -> Interval:
    low = a[0] if b[0] is None else b[0] if a[0] is None else max(a[0], b[0])
    high = a[1] if b[1] is None else b[1] if a[1] is None else min(a[1], b[1])
    return low, high


def _empty(span: Interval) -> bool:
    """Whether no Python 3 release is in ``span`` (a Python 2 branch, or contradicting bounds)."""
    if span[1] is not None and span[1] <= 0:
        return True
    return span[0] is not None and span[1] is not None and span[0] >= span[1]


def _hull(spans: Iterable[Interval]) -> Interval | None:
    """The smallest interval holding every non-empty one (None when there is none)."""
    lows: list[int | None] = []
    highs: list[int | None] = []
    for span in spans:
        if not _empty(span):
            lows.append(span[0])
            highs.append(span[1])
    if not lows:
        return None
    low = None if None in lows else min(x for x in lows if x is not None)
    high = None if None in highs else max(x for x in highs if x is not None)
    return low, high


# ---------------------------------------------------------------------------
# reading one stub file


def _version_tuple(node: ast.expr) -> int | None:
    """``(3, 11)`` -> 11; ``(3,)`` -> 0; anything else None."""
    if isinstance(node, ast.Tuple) and node.elts and all(isinstance(e, ast.Constant) for e in node.elts):
        values = [e.value for e in node.elts if isinstance(e, ast.Constant)]
        numbers = [v for v in values if isinstance(v, int)]
        if values[0] == 3 and len(numbers) == len(values):
            return numbers[1] if len(numbers) > 1 else 0
        if values[0] == 2:
            return -1
    return None


def _is_version_info(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "version_info"
        and isinstance(node.value, ast.Name)
        and node.value.id == "sys"
    )


def _condition(test: ast.expr) -> tuple[Interval, Interval] | None:
    """The version intervals of an ``if`` test and of its ``else``; None when it says nothing of the version.

    Platform tests combined with ``and`` keep the version part for the body
    (the name exists on some platform from that release) and say nothing of
    the ``else``; any other combination is read as no constraint.
    """
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and _is_version_info(test.left):
        minor = _version_tuple(test.comparators[0])
        if minor is None:
            return None
        op = test.ops[0]
        if isinstance(op, ast.GtE):
            return ((minor, None), (None, minor)) if minor > 0 else (ALWAYS, NEVER)
        if isinstance(op, ast.Lt):
            return ((None, minor), (minor, None)) if minor > 0 else (NEVER, ALWAYS)
        return None
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        body = ALWAYS
        seen = False
        for value in test.values:
            part = _condition(value)
            if part is not None:
                body = _meet(body, part[0])
                seen = True
        return (body, ALWAYS) if seen else None
    return None


@dataclass
class Function:
    """The definitions of one callable: (interval, keyword names, takes ``**kwargs``) each,
    and where its return annotations are read: the stub module and, for a method, its class."""

    defs: list[tuple[Interval, frozenset[str], bool]] = field(default_factory=list)
    returns: list[ast.expr | None] = field(default_factory=list)
    module: str = ""
    owner: Scope | None = None


@dataclass
class Scope:
    """A module's or a class's namespace as its stub defines it.

    ``spans``: the version intervals of each definition of a name;
    ``classes``/``functions``: what a name is; ``imports``: names bound by an
    import (re-exported or not): (module, name or None for the module itself,
    interval, re-exported); ``stars``: ``from m import *`` (module, interval);
    ``bases``: a class's base expressions.
    """

    spans: dict[str, list[Interval]] = field(default_factory=dict)
    classes: dict[str, list[Scope]] = field(default_factory=dict)
    functions: dict[str, Function] = field(default_factory=dict)
    imports: dict[str, list[tuple[str, str | None, Interval, bool]]] = field(default_factory=dict)
    stars: list[tuple[str, Interval]] = field(default_factory=list)
    bases: list[ast.expr] = field(default_factory=list)
    exported: dict[str, list[Interval]] = field(default_factory=dict)
    #: names defined at least once outside a ``sys.platform`` test
    everywhere: set[str] = field(default_factory=set)
    #: names declared with an annotation (``_COPYFILE_ACL: int``), not a type alias
    data: set[str] = field(default_factory=set)
    #: module-level names annotated with a class name (``rmtree: _RmtreeType``), per branch
    annotated: dict[str, list[tuple[ast.expr, Interval]]] = field(default_factory=dict)
    #: ``_IntEnumBase = ReprEnum``: a name bound to another name (a class alias), per branch
    aliases: dict[str, list[tuple[ast.expr, Interval]]] = field(default_factory=dict)


def _bound(method: Function) -> Function:
    """A method's definitions as the callable an instance is (``__call__``): ``self`` is
    already left out of the keywords, so they stay as they are."""
    return method


def _keywords(args: ast.arguments, method: bool) -> tuple[frozenset[str], bool]:
    positional = [*args.posonlyargs, *args.args]
    skip = 1 if method and positional else 0  # ``self``/``cls``, positional-only or not
    names = [a.arg for a in positional[skip:] if a in args.args]
    # ``__x`` parameters are positional-only in stubs written before PEP 570
    named = [n for n in names if not (n.startswith("__") and not n.endswith("__"))]
    named += [a.arg for a in args.kwonlyargs]
    return frozenset(named), args.kwarg is not None


class _Reader:
    def __init__(self, module: str, is_package: bool) -> None:
        self.module = module
        self.is_package = is_package
        self.platform_depth = 0

    def resolve(self, level: int, name: str | None) -> str:
        if level == 0:
            return name or ""
        parts = self.module.split(".")
        keep = len(parts) - level + (1 if self.is_package else 0)
        base = parts[:keep]
        return ".".join([*base, *([name] if name else [])])

    def body(self, statements: Sequence[ast.stmt], scope: Scope, span: Interval, in_class: bool) -> None:
        for node in statements:
            if _empty(span):
                return
            if isinstance(node, ast.If):
                cond = _condition(node.test)
                body_span, else_span = (span, span) if cond is None else (_meet(span, cond[0]), _meet(span, cond[1]))
                platform = _mentions_platform(node.test)
                self.platform_depth += platform
                self.body(node.body, scope, body_span, in_class)
                self.body(node.orelse, scope, else_span, in_class)
                self.platform_depth -= platform
                continue
            if not self.platform_depth:
                scope.everywhere.update(_bound_names(node))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                scope.spans.setdefault(node.name, []).append(span)
                keywords, varkw = _keywords(node.args, in_class and not _is_static(node))
                function = scope.functions.setdefault(node.name, Function(module=self.module, owner=scope if in_class else None))
                function.defs.append((span, keywords, varkw))
                function.returns.append(node.returns)
            elif isinstance(node, ast.ClassDef):
                inner = Scope(bases=list(node.bases))
                self.body(node.body, inner, ALWAYS, True)
                scope.spans.setdefault(node.name, []).append(span)
                scope.classes.setdefault(node.name, []).append(inner)
                # a class's own members are dated relative to the class: its span applies on top
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                scope.spans.setdefault(node.target.id, []).append(span)
                if not (isinstance(node.annotation, (ast.Name, ast.Attribute)) and _last_name(node.annotation) == "TypeAlias"):
                    scope.data.add(node.target.id)
                    if not in_class and isinstance(node.annotation, ast.Name):
                        scope.annotated.setdefault(node.target.id, []).append((node.annotation, span))
            elif isinstance(node, ast.Assign):
                if len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) and isinstance(node.value, (ast.Name, ast.Attribute)):
                    scope.aliases.setdefault(node.targets[0].id, []).append((node.value, span))
                    if isinstance(node.value, ast.Name) and node.value.id in scope.functions:
                        # ``__rand__ = __and__``: the same function under another name
                        scope.functions.setdefault(node.targets[0].id, Function()).defs.extend(
                            (_meet(span, d[0]), d[1], d[2]) for d in scope.functions[node.value.id].defs
                        )
                for target in node.targets:
                    for name in _target_names(target):
                        if name == "__all__":
                            for exported in _strings(node.value):
                                scope.exported.setdefault(exported, []).append(span)
                        else:
                            scope.spans.setdefault(name, []).append(span)
            elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name) and node.target.id == "__all__":
                for exported in _strings(node.value):
                    scope.exported.setdefault(exported, []).append(span)
            elif isinstance(node, ast.ImportFrom) and not in_class:
                module = self.resolve(node.level, node.module)
                for alias in node.names:
                    if alias.name == "*":
                        scope.stars.append((module, span))
                        continue
                    bound = alias.asname or alias.name
                    scope.imports.setdefault(bound, []).append((module, alias.name, span, alias.asname == alias.name))
            elif isinstance(node, ast.Import) and not in_class:
                for alias in node.names:
                    if alias.asname is not None:
                        scope.imports.setdefault(alias.asname, []).append(
                            (alias.name, None, span, alias.asname == alias.name)
                        )
                    else:
                        top = alias.name.split(".")[0]
                        scope.imports.setdefault(top, []).append((top, None, span, False))


def _last_name(node: ast.expr) -> str:
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""


def _mentions_platform(test: ast.expr) -> bool:
    return any(
        isinstance(n, ast.Attribute) and n.attr == "platform" and isinstance(n.value, ast.Name) and n.value.id == "sys"
        for n in ast.walk(test)
    )


def _bound_names(node: ast.stmt) -> Iterator[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        yield node.name
    elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        yield node.target.id
    elif isinstance(node, ast.Assign):
        for target in node.targets:
            yield from _target_names(target)
    elif isinstance(node, (ast.Import, ast.ImportFrom)):
        for alias in node.names:
            yield alias.asname or alias.name.split(".")[0]


def _is_static(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in node.decorator_list)


def _target_names(target: ast.expr) -> Iterator[str]:
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            yield from _target_names(element)


def _strings(node: ast.expr) -> set[str]:
    if isinstance(node, (ast.List, ast.Tuple)):
        return {e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}
    if isinstance(node, ast.BinOp):
        return _strings(node.left) | _strings(node.right)
    return set()


# ---------------------------------------------------------------------------
# one snapshot


@dataclass
class Fact:
    """When a name exists (the hull of its intervals) and, for a callable, when each keyword does."""

    span: Interval
    keywords: dict[str, Interval] = field(default_factory=dict)
    #: whether a definition is a function or method
    function: bool = False
    #: whether the module declares it with an annotation (a constant or variable, not a type alias)
    data: bool = False


@dataclass
class Snapshot:
    """What one typeshed copy says."""

    label: str
    modules: dict[str, Interval]
    members: dict[str, Fact]
    #: the oldest release the copy distinguishes: a name shown unguarded exists from here on
    floor: int
    #: module-level names the stubs define only under a ``sys.platform`` test
    platform_specific: frozenset[str] = frozenset()
    #: callable -> the public name of the class every definition returns (``re.compile`` ->
    #: ``re.Pattern``, ``pathlib.Path.cwd`` -> ``pathlib.Path``)
    returns: dict[str, str] = field(default_factory=dict)


def _parse_versions(text: str) -> dict[str, Interval]:
    out: dict[str, Interval] = {}
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line or ":" not in line:
            continue
        name, versions = (part.strip() for part in line.split(":", 1))
        low_text, _, high_text = versions.partition("-")
        low = _minor_of(low_text)
        high = _minor_of(high_text)
        out[name] = (low, None if high is None else high + 1)
    return out


def _minor_of(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    major, minor = text.split(".")[:2]
    return int(minor) if major == "3" else None



def _add_own_names(out: dict[str, list[tuple[Interval, Any]]], scope: Scope, module: str) -> None:
    """The names ``scope`` defines itself (classes, functions, assignments), each with the
    versions it exists in and what it is."""
    for name, spans in scope.spans.items():
        for index, span in enumerate(spans):
            what: Any = None
            if name in scope.classes:
                classes = scope.classes[name]
                what = ("class", classes[min(index, len(classes) - 1)], module)
            elif name in scope.functions:
                what = ("function", scope.functions[name])
            out.setdefault(name, []).append((span, what))

class _Resolver:
    """Every qualified name of a snapshot with its interval and keywords."""

    def __init__(self, scopes: Mapping[str, Scope]) -> None:
        self.scopes = scopes
        self.members: dict[str, Fact] = {}
        self._done: set[str] = set()
        #: how many times an import cycle was cut (a module asked for while it is being read)
        self._cuts = 0
        #: qualified callable -> its definitions (for the classes they return)
        self._callables: dict[str, list[Function]] = {}
        #: id of a class's scope -> its public qualified names (each public module that binds it)
        self._public: dict[int, list[str]] = {}
        self._private: dict[int, str] | None = None
        self._names: dict[str, dict[str, list[tuple[Interval, Any]]]] = {}
        self._members: dict[int, dict[str, list[tuple[Interval, Any]]]] = {}
        #: module -> its names that exist only on some platforms
        self._platform: dict[str, set[str]] = {}
        self.platform_specific: set[str] = set()

    def module_names(self, module: str, stack: tuple[str, ...] = ()) -> dict[str, list[tuple[Interval, Any]]]:
        """The public names of ``module``: name -> [(interval, what)], ``what`` a
        ("class", Scope, module), ("function", Function), ("module", name) or None."""
        if module in self._names:
            return self._names[module]
        scope = self.scopes.get(module)
        if scope is None:
            return {}
        if module in stack:
            self._cuts += 1
            return {}
        cuts = self._cuts
        result = self._module_names(module, scope, (*stack, module))
        if stack and self._cuts != cuts:
            # an import cycle was cut below this module (``_ssl`` reads ``ssl``, which
            # re-exports from ``_ssl``): what it saw is partial, so it is not kept
            return result
        self._names[module] = result
        self._platform[module] = self._platform_names(module, scope, result)
        return result

    def _platform_names(self, module: str, scope: Scope, names: Mapping[str, Any]) -> set[str]:
        out = set()
        for name in names:
            if name in scope.everywhere:
                # an unconditional re-export is as platform-specific as what it re-exports
                sources = [(m, i) for m, i, _s, _r in scope.imports.get(name, []) if i is not None]
                if sources and all(i in self._platform.get(m, set()) for m, i in sources):
                    out.add(name)
                continue
            out.add(name)
        for source, _span in scope.stars:
            out |= {n for n in self._platform.get(source, set()) if n in names and n not in scope.spans}
        return out

    def _module_names(self, module: str, scope: Scope, stack: tuple[str, ...]) -> dict[str, list[tuple[Interval, Any]]]:
        out: dict[str, list[tuple[Interval, Any]]] = {}
        _add_own_names(out, scope, module)
        for name, bindings in scope.imports.items():
            for source, imported, span, reexport in bindings:
                if not (reexport or name in scope.exported):
                    continue
                if imported is None:
                    out.setdefault(name, []).append((span, ("module", source)))
                    continue
                target = self.module_names(source, stack).get(imported)
                if target is None:
                    if f"{source}.{imported}" in self.scopes:
                        out.setdefault(name, []).append((span, ("module", f"{source}.{imported}")))
                    continue
                for inner, what in target:
                    out.setdefault(name, []).append((_meet(span, inner), what))
        for source, span in scope.stars:
            source_scope = self.scopes.get(source)
            exported = source_scope.exported if source_scope is not None else {}
            for name, target in self.module_names(source, stack).items():
                if name.startswith("_") and name not in exported:
                    continue
                if exported and name not in exported:
                    continue
                for inner, what in target:
                    out.setdefault(name, []).append((_meet(span, inner), what))
        for name, aliases in scope.aliases.items():
            # ``bisect = bisect_right``: the function's keywords under the alias too
            if name in scope.functions or name in scope.classes:
                continue
            for value, span in aliases:
                if isinstance(value, ast.Name) and value.id != name:
                    out.setdefault(name, []).extend(
                        (_meet(span, inner), what) for inner, what in list(out.get(value.id, ())) if what is not None and what[0] == "function"
                    )
        for name, declared in scope.annotated.items():
            # ``rmtree: _RmtreeType``: an instance of a class with ``__call__`` is called like it
            for annotation, span in declared:
                if not (isinstance(annotation, ast.Name) and annotation.id in scope.classes):
                    continue  # a class of the same stub (the stubs' callable protocols are)
                for found, _found_module, class_span in self._class_in(module, annotation.id):
                    call = found.functions.get("__call__")
                    if call is not None:
                        out.setdefault(name, []).append((_meet(span, class_span), ("function", _bound(call))))
        return out

    def lookup(self, module: str, expr: ast.expr, depth: int = 0) -> list[tuple[Scope, str, Interval]]:
        """The class a base expression names, seen from ``module``: each of its definitions
        (a class defined anew in each version branch has several, an alias bound in each
        branch names one each) with its interval."""
        while isinstance(expr, ast.Subscript):
            expr = expr.value
        parts: list[str] = []
        while isinstance(expr, ast.Attribute):
            parts.insert(0, expr.attr)
            expr = expr.value
        if not isinstance(expr, ast.Name):
            return []
        parts.insert(0, expr.id)
        scope = self.scopes.get(module)
        if scope is None:
            return []
        head = parts[0]
        if head in scope.classes and len(parts) == 1:
            return self._class_in(module, head)
        if head in scope.aliases and len(parts) == 1 and depth < 4:
            return [
                (found, found_module, _meet(span, inner))
                for value, span in scope.aliases[head]
                for found, found_module, inner in self.lookup(module, value, depth + 1)
            ]
        for source, imported, _span, _reexport in scope.imports.get(head, []):
            if imported is None:
                target_module = ".".join([source, *parts[1:-1]])
                return self._class_in(target_module, parts[-1])
            if len(parts) == 1:
                return self._class_in(source, imported)
        if len(parts) == 1 and "builtins" in self.scopes and module != "builtins":
            return self._class_in("builtins", head)
        return []

    def _class_in(self, module: str, name: str) -> list[tuple[Scope, str, Interval]]:
        scope = self.scopes.get(module)
        if scope is not None and name in scope.classes:
            # the module's own definitions, each with its version branch
            defs = scope.classes[name]
            spans = scope.spans.get(name, [])
            if len(spans) == len(defs):
                return [(inner, module, span) for inner, span in zip(defs, spans, strict=True)]
            return [(defs[-1], module, ALWAYS)]
        return [
            (what[1], what[2], span)
            for span, what in self.module_names(module).get(name, [])
            if what is not None and what[0] == "class"
        ]

    def run(self) -> dict[str, Fact]:
        for module in sorted(self.scopes):
            if module.split(".")[0] in _PRIVATE_ROOTS:
                continue
            scope = self.scopes[module]
            public = not any(part.startswith("_") for part in module.split("."))
            for name, bindings in self.module_names(module).items():
                if public and not name.startswith("_"):
                    for _span, what in bindings:
                        if what is not None and what[0] == "class":
                            self._public.setdefault(id(what[1]), []).append(f"{module}.{name}")
                self._record(f"{module}.{name}", bindings, 0)
                fact = self.members.get(f"{module}.{name}")
                if fact is not None and name in scope.data:
                    fact.data = True
                if name in self._platform.get(module, set()):
                    self.platform_specific.add(f"{module}.{name}")
        return self.members

    def _record(self, qualified: str, bindings: Sequence[tuple[Interval, Any]], depth: int) -> None:
        if qualified in self._done or depth > 6:
            return
        self._done.add(qualified)
        span = _hull(span for span, _what in bindings)
        if span is None:
            return
        fact = Fact(span)
        self.members[qualified] = fact
        functions = [(s, what[1]) for s, what in bindings if what is not None and what[0] == "function"]
        if functions:
            fact.function = True
            self._callables[qualified] = [f for _s, f in functions]
            fact.keywords = _keyword_spans([(_meet(s, d[0]), d[1], d[2]) for s, f in functions for d in f.defs])
        gathered: dict[str, list[tuple[Interval, Any]]] = {}
        for outer, what in bindings:
            if what is None or what[0] != "class":
                continue
            for name, inner in self.class_members(what[1], what[2], ()).items():
                gathered.setdefault(name, []).extend((_meet(outer, s), w) for s, w in inner)
        for name, inner in gathered.items():
            self._record(f"{qualified}.{name}", inner, depth + 1)
        constructor = gathered.get("__init__") or gathered.get("__new__")
        if constructor:
            defs = [
                (_meet(s, d[0]), d[1], d[2])
                for s, w in constructor
                if w is not None and w[0] == "function"
                for d in w[1].defs
            ]
            fact.keywords = _keyword_spans(defs)

    def returns(self) -> dict[str, str]:
        """Each callable whose definitions all return one class with a public name."""
        out: dict[str, str] = {}
        for qualified, functions in sorted(self._callables.items()):
            found: set[str | None] = set()
            own = [f for f in functions if f.owner is not None and f.owner is functions[0].owner]
            if any(d[0] == ALWAYS for f in own for d in f.defs):
                # the class defines it in every release (``dict.items``): what a base
                # (``Mapping.items``) declares is overridden
                functions = own
            for function in functions:
                for annotation in function.returns:
                    found.add(self._returned(function, annotation))
            if len(found) == 1:
                (cls,) = found
                if cls is not None:
                    out[qualified] = cls
        return out

    def _returned(self, function: Function, annotation: ast.expr | None) -> str | None:
        """The public name of the class a return annotation names (``X | None`` is ``X``)."""
        if annotation is None:
            return None
        if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
            left, right = annotation.left, annotation.right
            if isinstance(right, ast.Constant) and right.value is None:
                return self._returned(function, left)
            if isinstance(left, ast.Constant) and left.value is None:
                return self._returned(function, right)
            return None
        if isinstance(annotation, ast.Name) and annotation.id == "Self":
            scopes = [function.owner] if function.owner is not None else []
        else:
            scopes = [scope for scope, _module, _span in self.lookup(function.module, annotation)]
        found = {self._public_name(scope, function.module) for scope in scopes}
        return found.pop() if len(found) == 1 else None

    def _private_classes(self) -> dict[int, str]:
        """Classes defined at the top of a private module (``_collections_abc.dict_items``), by scope."""
        if self._private is None:
            self._private = {
                id(found): f"{module}.{name}"
                for module, scope in self.scopes.items()
                if module.startswith("_") and module != "__future__"
                for name, defs in scope.classes.items()
                if not name.startswith("_")
                for found in defs
            }
        return self._private

    def _public_name(self, scope: Scope, near: str) -> str | None:
        """A class's public name, the one in the module ``near`` (or its package) first:
        ``os.stat`` returns ``os.stat_result``, not ``nt.stat_result``."""
        names = self._public.get(id(scope))
        if not names:
            # a class only a private module defines (``dict.items()`` is a
            # ``_collections_abc.dict_items``): named there
            return self._private_classes().get(id(scope))
        top = near.split(".")[0]
        return min(names, key=lambda n: (not n.startswith(near + "."), not n.startswith(top + "."), n.count("."), n))

    def class_members(self, scope: Scope, module: str, stack: tuple[int, ...]) -> dict[str, list[tuple[Interval, Any]]]:
        """A class's members, its own and those it inherits (the first base that has a name gives it)."""
        if id(scope) in self._members:
            return self._members[id(scope)]
        if id(scope) in stack or len(stack) > 12:
            return {}
        out: dict[str, list[tuple[Interval, Any]]] = {}
        self._members[id(scope)] = out
        inherited_names: set[str] = set()
        _add_own_names(out, scope, module)
        for base in scope.bases:
            added: set[str] = set()
            for found, found_module, base_span in self.lookup(module, base):
                for name, inherited in self.class_members(found, found_module, (*stack, id(scope))).items():
                    if name.startswith("__") and name.endswith("__") and name not in ("__init__", "__new__"):
                        continue
                    if name in ("__init__", "__new__") and ("__init__" in out or "__new__" in out) and name not in inherited_names:
                        continue
                    out.setdefault(name, []).extend((_meet(base_span, s), w) for s, w in inherited)
                    added.add(name)
            inherited_names |= added
        return out


def _keyword_spans(defs: Sequence[tuple[Interval, frozenset[str], bool]]) -> dict[str, Interval]:
    """Each keyword's interval: the hull of the definitions that accept it (``**kwargs`` accepts any)."""
    names: set[str] = set()
    for span, keywords, _varkw in defs:
        if not _empty(span):
            names |= keywords
    out: dict[str, Interval] = {}
    for name in names:
        hull = _hull(span for span, keywords, varkw in defs if name in keywords or varkw)
        if hull is not None:
            out[name] = hull
    return out


def read_snapshot(label: str, files: Mapping[str, bytes], floor: int | None = None) -> Snapshot:
    """A snapshot from its ``stdlib`` files (path relative to ``stdlib/`` -> bytes).

    ``floor`` is the oldest Python the copy supports; when not given it is
    guessed as the release below the oldest version branch (right for a
    current copy, too low for an old one that kept a few old branches).
    """
    modules = _parse_versions(files["VERSIONS"].decode("utf-8"))
    scopes: dict[str, Scope] = {}
    lowest: int | None = None
    for path, data in sorted(files.items()):
        if not path.endswith(".pyi") or path.split("/")[0] in _PRIVATE_ROOTS:
            continue
        parts = path[: -len(".pyi")].split("/")
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        module = ".".join(parts)
        tree = ast.parse(data, filename=path)
        for node in ast.walk(tree):
            if isinstance(node, ast.If):
                cond = _condition(node.test)
                if cond is not None:
                    for bound in (*cond[0], *cond[1]):
                        if bound is not None and bound > 0 and (lowest is None or bound < lowest):
                            lowest = bound
        scope = Scope()
        _Reader(module, is_package).body(tree.body, scope, ALWAYS, False)
        scopes[module] = scope
    resolver = _Resolver(scopes)
    members = resolver.run()
    if floor is None:
        floor = (lowest or 1) - 1
    return Snapshot(label, modules, members, floor, frozenset(resolver.platform_specific), resolver.returns())


# ---------------------------------------------------------------------------
# snapshots on disk


def snapshot_files(path: Path) -> dict[str, bytes]:
    """The files of the typeshed ``stdlib`` directory inside an sdist, a wheel or a directory.

    Two layouts are read: the current one (``stdlib/VERSIONS`` beside
    ``stdlib/builtins.pyi``) and the one typeshed used until 2021
    (``stdlib/2and3``, ``stdlib/3``, ``stdlib/3.7``, ...: a module under
    ``3.N/`` was added in 3.N), which is turned into the current one.
    """
    files: dict[str, bytes] = {}
    if path.is_dir():
        for file in path.rglob("*"):
            if file.is_file() and file.suffix in ("", ".pyi"):
                files[file.relative_to(path).as_posix()] = file.read_bytes()
    elif zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as wheel:
            for info in wheel.infolist():
                if not info.is_dir() and (info.filename.endswith(".pyi") or info.filename.endswith("/VERSIONS")):
                    files[info.filename] = wheel.read(info)
    else:
        with tarfile.open(path, "r:*") as archive:
            for member in archive.getmembers():
                if member.isfile() and (member.name.endswith(".pyi") or member.name.endswith("/VERSIONS")):
                    handle = archive.extractfile(member)
                    if handle is not None:
                        files[member.name] = handle.read()
    for name in sorted(files):
        if name.endswith("VERSIONS"):
            prefix = name[: -len("VERSIONS")]
            if prefix + "builtins.pyi" in files:
                return {key[len(prefix) :]: data for key, data in files.items() if key.startswith(prefix)}
    for name in sorted(files):
        if name.endswith("/2and3/builtins.pyi"):
            return _old_layout(files, name[: -len("2and3/builtins.pyi")])
    raise ValueError(f"{path}: no typeshed stdlib directory (VERSIONS beside builtins.pyi, or 2and3/builtins.pyi)")


def _old_layout(files: Mapping[str, bytes], prefix: str) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    versions: list[str] = []
    for key, data in files.items():
        if not key.startswith(prefix):
            continue
        folder, _, rest = key[len(prefix) :].partition("/")
        if folder == "2and3" or folder == "3":
            minimum = "3.0"
        elif folder.startswith("3.") and folder[2:].isdigit():
            minimum = folder
        else:
            continue
        out[rest] = data
        top = rest.split("/")[0].removesuffix(".pyi")
        versions.append(f"{top}: {minimum}-")
    out["VERSIONS"] = "\n".join(sorted(set(versions))).encode()
    return out


def describe(path: Path) -> dict[str, str]:
    """Name, version and sha256 of a snapshot archive (``mypy-0.910.tar.gz``, ``mypy-2.4.1-py3-none-any.whl``)."""
    if path.name.endswith(".whl"):
        # a wheel's name is NAME-VERSION(-BUILD)?-PYTHON-ABI-PLATFORM.whl
        name, _, rest = path.name.partition("-")
        version = rest.partition("-")[0]
        stem = f"{name}-{version}"
    else:
        stem = path.name.removesuffix(".tar.gz").removesuffix(".zip")
    name, _, version = stem.rpartition("-")
    digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
    return {"name": name or stem, "version": version, "sha256": digest}


# ---------------------------------------------------------------------------
# merging


def _text(minor: int) -> str:
    return f"3.{minor}"


def _entry(span: Interval, floor_added: int | None = None) -> dict[str, str]:
    out: dict[str, str] = {}
    low, high = span
    if low is not None and low > 0:
        out["added"] = _text(low)
    elif floor_added is not None and floor_added > 0:
        out["added"] = _text(floor_added)
    if high is not None:
        out["removed"] = _text(high)
    return out


def _merge_one(key: str, found: Sequence[tuple[Snapshot, Interval | None]]) -> Interval | None:
    """One name's interval across snapshots (newest first)."""
    newest = next(((snap, span) for snap, span in found if span is not None), None)
    if newest is None:
        return None
    snap, span = newest
    if found[0][1] is None:
        # only older copies know it: a removal they record is a fact; otherwise unknown
        return span if span[1] is not None else None
    low, high = span
    if low is None:
        # every copy showing it unguarded says it exists from that copy's floor on
        floor = snap.floor
        for older, older_span in found[1:]:
            if older_span is None:
                continue
            if older_span[0] is None or older_span[0] <= 0:
                floor = min(floor, older.floor)
                continue
            if older_span[0] <= floor:
                low = older_span[0]
            break
    return low, high


def merge(snapshots: Sequence[Snapshot]) -> dict[str, Any]:
    """The table (``modules``, ``members``, ``keywords``) from snapshots, newest first."""
    modules: dict[str, dict[str, str]] = {}
    for name in sorted({n for s in snapshots for n in s.modules}):
        found = [(s, s.modules.get(name)) for s in snapshots]
        newest = next((span for _s, span in found if span is not None), None)
        if newest is None:
            continue
        if found[0][1] is None and newest[1] is None:
            continue
        entry = _entry(newest)
        if entry:
            modules[name] = entry
    members: dict[str, dict[str, Any]] = {}
    keywords: dict[str, dict[str, dict[str, str]]] = {}
    module_names = frozenset(n for s in snapshots for n in s.modules)
    # private-module classes public callables return (``dict.items()``): their members are
    # reached through the receiver, so they are kept -- only for a class every snapshot shows in
    # every release (``_csv.Writer`` is 3.10's name of the older ``_csv._writer``: dating its
    # members by the class would make ``csv.writer(f).writerow`` a 3.10 feature)
    returned = {
        cls
        for s in snapshots
        for n, cls in s.returns.items()
        if not _skipped(n)
        and _skipped(cls + ".x")
        and all(other.members[cls].span == ALWAYS for other in snapshots if cls in other.members)
    }
    for name in sorted({n for s in snapshots for n in s.members}):
        found_facts = [(s, s.members.get(name)) for s in snapshots]
        span = _merge_one(name, [(s, f.span if f is not None else None) for s, f in found_facts])
        if span is None:
            continue
        if (_skipped(name) and name.rpartition(".")[0] not in returned) or (
            _dunder_member(name)
            and (span[1] is not None or name.rsplit(".", 1)[1] in _LAYOUT or any(f is not None and f.function for _s, f in found_facts))
        ) or (
            _private_module_name(name, module_names)
            and not any(f is not None and (f.function or f.data) for _s, f in found_facts)
        ):
            continue
        owner = _owner_span(name, modules, members)
        entry = _relative(span, owner)
        if entry:
            members[name] = entry
        kw_names = sorted({k for _s, f in found_facts if f is not None for k in f.keywords})
        for keyword in kw_names:
            kw_span = _merge_one(
                keyword,
                [(s, f.keywords.get(keyword) if f is not None else None) for s, f in found_facts],
            )
            if kw_span is None:
                continue
            kw_entry = _relative(kw_span, span)
            if kw_entry:
                keywords.setdefault(name, {})[keyword] = kw_entry
    for name, model in KEYWORDS_AS.items():
        facts = [s.members[name] for s in snapshots if name in s.members]
        accepted = {k for f in facts for k in f.keywords}
        for keyword, entry in keywords.get(model, {}).items():
            if keyword in accepted and "added" in entry and keyword not in keywords.get(name, {}):
                keywords.setdefault(name, {})[keyword] = dict(entry)
    for name, dated in KEYWORD_CORRECTIONS.items():
        for keyword, entry in dated.items():
            keywords.setdefault(name, {})[keyword] = dict(entry)
    for name in DROPPED:
        members.pop(name, None)
    for name in modules:
        members.pop(name, None)  # a submodule a package re-exports is dated as a module
    for name, override in {**DOCUMENTED, **CORRECTIONS, **OVERRIDES}.items():
        members[name] = dict(override)
    platform = set()
    for name in members:
        parts = name.split(".")
        for cut in range(2, len(parts) + 1):
            prefix = ".".join(parts[:cut])
            knower = next((s for s in snapshots if prefix in s.members), None)
            if knower is not None and prefix in knower.platform_specific:
                platform.add(name)
                break
    owners = {name.rsplit(".", 1)[0] for name in (*members, *keywords)}
    returns: dict[str, str] = {}
    for snapshot in snapshots:
        for name, cls in snapshot.returns.items():
            # the built-in types are left out: most callables return one, few are receivers
            if cls in owners and not cls.startswith("builtins.") and not _skipped(name):
                returns.setdefault(name, cls)
    return {
        "modules": modules,
        "members": members,
        "keywords": keywords,
        "returns": dict(sorted(returns.items())),
        "platform_specific": sorted(platform),
    }


#: names with a leading underscore that are public API (namedtuple methods and fields)
_PUBLIC_UNDERSCORED = frozenset({"_asdict", "_replace", "_make", "_fields", "_field_defaults"})


def _dunder_member(name: str) -> bool:
    """A special name of a class (``BaseException.__notes__``, ``dict.__or__``).

    Only the data attributes among them are kept, and only their additions: typeshed moves
    special methods between a class and its bases from one release to the next (``__eq__``
    defined on ``Counter`` from 3.10, inherited from ``dict`` before), so a special method's
    branch says when the class overrides it, not when it can be called."""
    parts = name.split(".")
    return len(parts) > 2 and parts[-1].startswith("__") and parts[-1].endswith("__")


#: special names that say how a class is laid out, not what code can use, and those every
#: class has as a type (``property.__name__`` is ``type.__name__``; the stubs date the instances')
_LAYOUT = frozenset({"__slots__", "__match_args__", "__name__", "__qualname__", "__module__", "__doc__", "__annotations__"})


def _private_module_name(name: str, modules: frozenset[str]) -> bool:
    """An underscored name of a public module (``sys._is_gil_enabled``, ``os._COPYFILE_ACL``).

    Only functions and annotated constants are kept: the stubs' own helpers
    (type variables, aliases, protocols, ``_ScandirIterator``) are underscored classes
    and assignments that do not exist at run time."""
    module, _, last = name.rpartition(".")
    return last.startswith("_") and not last.startswith("__") and module in modules


def _skipped(name: str) -> bool:
    """Names no plugin spells (members of private modules and of private classes) and
    ``__future__`` features (the syntax table dates them: a future import changes the parser).

    An underscored or dunder name of a public module or class is kept: CPython documents
    several (``sys._is_gil_enabled``, ``enum.Enum._add_alias_``, ``BaseException.__notes__``)
    and typeshed dates only names that exist at run time in some release."""
    parts = name.split(".")
    if parts[0] == "__future__" or parts[0].startswith("_"):
        return True
    if parts[:2] == ["builtins", "function"]:
        return True  # a class of the stubs only (``types.FunctionType`` is the real one)
    if len(parts) > 2 and parts[-1] in ("__init__", "__new__"):
        return True  # a constructor's signature: its keywords are dated on the class
    return any(part.startswith("_") and part not in _PUBLIC_UNDERSCORED for part in parts[1:-1])


def _owner_span(name: str, modules: Mapping[str, Mapping[str, str]], members: Mapping[str, Mapping[str, str]]) -> Interval:
    """The interval of what holds ``name`` (its class or module), as already tabled."""
    parts = name.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        owner = ".".join(parts[:cut])
        entry = members.get(owner) or modules.get(owner)
        if entry is not None:
            added = entry.get("added")
            removed = entry.get("removed")
            return (int(added.split(".")[1]) if added else None, int(removed.split(".")[1]) if removed else None)
        if owner in modules:
            break
    return ALWAYS


def _relative(span: Interval, owner: Interval) -> dict[str, str]:
    """The version-relevant part of ``span`` beyond what its owner already says."""
    low, high = span
    if low is not None and (low <= 0 or (owner[0] is not None and low <= owner[0])):
        low = None
    if high is not None and owner[1] is not None and high >= owner[1]:
        high = None
    return _entry((low, high))


def generate(paths: Sequence[Path]) -> dict[str, Any]:
    """The whole document from snapshot archives given oldest first (or in any order: sorted by version)."""
    snapshots = []
    described = []
    pins = {(pin.name, pin.version): pin for pin in PINNED}
    for path in paths:
        info = describe(path)
        pin = pins.get((info["name"].replace("-", "_"), info["version"])) or pins.get((info["name"], info["version"]))
        if pin is not None and info["sha256"] and info["sha256"] != pin.sha256:
            raise ValueError(f"{path}: sha256 {info['sha256']} is not the pinned {pin.sha256}")
        label = f"{info['name']} {info['version']}"
        snapshots.append(read_snapshot(label, snapshot_files(path), pin.floor if pin is not None else None))
        described.append(info)
    order = sorted(range(len(paths)), key=lambda i: _version_key(described[i]), reverse=True)
    tables = merge([snapshots[i] for i in order])
    return {
        "$schema": "../../schemas/rules-compat-stdlib.schema.json",
        "source": (
            "Generated by `python -m mbcheck.checks.compat.generate` from typeshed's standard-library stubs "
            "(stdlib/VERSIONS and sys.version_info branches) in the snapshots below, merged newest first; "
            "backported security fixes from the generator's OVERRIDES."
        ),
        "snapshots": [
            {**described[i], "floor": _text(max(snapshots[i].floor, 0))} for i in order
        ],
        **tables,
    }


def _version_key(info: Mapping[str, str]) -> tuple[int, int, tuple[int, ...]]:
    """Order snapshots by typeshed age: a pinned one by its place in :data:`PINNED` (oldest
    first); others after them, typeshed_client releases after mypy ones, then by version."""
    name = info["name"].replace("-", "_")
    order = [(pin.name, pin.version) for pin in PINNED]
    if (name, info["version"]) in order:
        return (0, order.index((name, info["version"])), ())
    try:
        numbers = tuple(int(p) for p in info["version"].split("."))
    except ValueError:
        numbers = ()
    return (1, 1 if name == "typeshed_client" else 0, numbers)


def dumps(document: Mapping[str, Any]) -> str:
    """Compact, diffable JSON: one entry per line."""
    lines = ["{"]
    head = {k: v for k, v in document.items() if k not in ("modules", "members", "keywords", "returns", "platform_specific")}
    for key, value in head.items():
        lines.append(f"  {json.dumps(key)}: {json.dumps(value)},")
    sections = [k for k in ("modules", "members", "keywords", "returns") if k in document]
    for index, section in enumerate(sections):
        lines.append(f"  {json.dumps(section)}: {{")
        items = list(document[section].items())
        for position, (name, value) in enumerate(items):
            comma = "," if position < len(items) - 1 else ""
            lines.append(f"    {json.dumps(name)}: {json.dumps(value, separators=(', ', ': '))}{comma}")
        lines.append("  }" + ("," if index < len(sections) - 1 or "platform_specific" in document else ""))
    if "platform_specific" in document:
        lines.append(f"  \"platform_specific\": {json.dumps(document['platform_specific'])}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mbcheck.checks.compat.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="write here (default: standard output)")
    parser.add_argument("snapshots", nargs="+", type=Path, help="sdists, wheels (or directories) holding typeshed's stdlib")
    args = parser.parse_args(argv)
    try:
        text = dumps(generate(args.snapshots))
    except (OSError, ValueError, SyntaxError, tarfile.TarError, zipfile.BadZipFile) as exc:
        print(f"mbcheck: error: {exc}", file=sys.stderr)
        return 2
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


__all__ = ["CORRECTIONS", "DOCUMENTED", "DROPPED", "EXPECTED_REMOVALS", "KEYWORDS_AS", "KEYWORD_CORRECTIONS", "OVERRIDES", "PINNED", "Pin", "Snapshot", "dumps", "generate", "main", "merge", "read_snapshot", "snapshot_files"]
