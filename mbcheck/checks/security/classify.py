"""Pure classification of what the security rules resolved statically.

Nothing here sees a syntax tree: the collector and the source rules resolve
expressions into qualified names, strings and paths (``values.py``,
``paths.py``), then ask these functions what the value is: which permission an
imported name shows, what assigning to a name tampers with, whether a string is
a credential or a high-entropy secret, whether a path is a sensitive place in
the file system. Keeping them pure makes them easy to test exhaustively.
"""

from __future__ import annotations

import math
import posixpath
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

from mbcheck.checks.security.tables import SecretPattern, SecurityTables, tables

# --------------------------------------------------------------------------
# Qualified names

#: the import system's shared state: changing it changes every later import
IMPORT_SYSTEM = frozenset({"sys.meta_path", "sys.path_hooks", "sys.path_importer_cache", "sys.modules"})


def short_name(name: str) -> str:
    """A qualified name as a message shows it: builtins without their module (``eval``)."""
    return name.removeprefix("builtins.")


def in_package(name: str, package: str) -> bool:
    """Whether a qualified name is the plugin's package or inside it."""
    return bool(package) and (name == package or name.startswith(package + "."))


def import_permission(name: str) -> tuple[str, str] | None:
    """``(permission, matched module)`` an import of ``name`` shows: only ``modules`` entries count."""
    data = tables()
    probe = name
    while True:
        found = data.modules.get(probe)
        if found is not None:
            return found, probe
        if "." not in probe:
            return None
        probe = probe.rsplit(".", 1)[0]


def tampered(name: str, package: str) -> str | None:
    """What assigning to ``name`` tampers with (the host, builtins, the import system), or None."""
    if in_package(name, package):
        return None
    top = name.split(".", 1)[0]
    if top == "milkbottle":
        return f"the host's `{name}`"
    if top == "builtins":
        return f"the builtin `{short_name(name)}` (for the host and every plugin)"
    for system in IMPORT_SYSTEM:
        if name == system or name.startswith(system + "."):
            return f"the import system (`{system}`)"
    return None


# --------------------------------------------------------------------------
# Secrets

#: names whose string value is a credential (assignment targets, keywords, keys)
SECRET_NAME = re.compile(
    r"(?i)(?:^|[_\-.])(?:pass(?:word|wd|phrase)?|pwd|secret|token|api[_\-]?key|apikey|access[_\-]?key"
    r"|auth[_\-]?key|private[_\-]?key|client[_\-]?secret|credentials?)(?:$|[_\-.])"
)
#: names that look like a secret's name but hold something else
_NOT_SECRET_NAME = re.compile(
    r"(?i)(?:^|[_\-.])(?:url|uri|endpoint|file|path|dir|name|field|env|var|prompt|label|header|type|kind"
    r"|pattern|regex|prefix|length|len|size|count|id|key_?name|message|msg|help|template)(?:$|[_\-.])"
)
_PLACEHOLDER = re.compile(
    r"(?i)(?:example|sample|dummy|placeholder|changeme|change[_\-]me|your[_\-]|<[^>]*>|\$\{[^}]*\}|%\([^)]*\)s"
    r"|\{[^}]*\}|xxxx|\*\*\*\*|redacted|not[_\-]?a[_\-]?secret|fake|test[_\-]?key|todo)"
)
_HAS_PRIVATE_KEY_BODY = re.compile(r"PRIVATE KEY(?: BLOCK)?-----\s*(?:[A-Za-z0-9+/=]{16,}\s*){2,}")


def shannon_entropy(text: str) -> float:
    """Bits of entropy per character of ``text`` (0 for the empty string)."""
    if not text:
        return 0.0
    counts = Counter(text)
    length = len(text)
    return -sum((n / length) * math.log2(n / length) for n in counts.values())


def looks_random(value: str) -> bool:
    """Whether a string looks like a generated secret rather than a word, path or template.

    At least 12 characters, no whitespace, no URL, at least two of lower-case
    letters, upper-case letters and digits, no placeholder markers, and close to
    the entropy a random string of that length has.
    """
    if len(value) < 12 or len(value) > 4096:
        return False
    if any(c.isspace() for c in value) or "://" in value:
        return False
    classes = sum((any(c.islower() for c in value), any(c.isupper() for c in value), any(c.isdigit() for c in value)))
    if classes < 2:
        return False
    if _PLACEHOLDER.search(value):
        return False
    threshold = min(3.5, math.log2(len(value)) - 0.6)
    return shannon_entropy(value) >= threshold


@dataclass(frozen=True, slots=True)
class SecretMatch:
    pattern: str
    description: str
    confidence: str
    start: int
    end: int


@cache
def _secret_index(
    secrets: tuple[SecretPattern, ...],
) -> tuple[re.Pattern[str], tuple[tuple[SecretPattern, re.Pattern[str]], ...]]:
    keywords = sorted({k for p in secrets for k in p.keywords}, key=len, reverse=True)
    prefilter = re.compile("|".join(re.escape(k) for k in keywords))
    return prefilter, tuple((p, re.compile(p.regex)) for p in secrets)


def may_hold_secret(text: str, table: SecurityTables | None = None) -> bool:
    """A cheap pre-filter: whether ``text`` contains a keyword of any credential format."""
    prefilter, _ = _secret_index((table or tables()).secrets)
    return prefilter.search(text) is not None


def find_secret(value: str, table: SecurityTables | None = None) -> SecretMatch | None:
    """The first well-known credential format found in a string literal.

    Documentation examples are not credentials: a match that is a placeholder
    (``EXAMPLE``, ``xxxx``), or whose token part has little entropy
    (``ghp_aaaaaaaa...``), is skipped; a private key counts only with a body.
    """
    index = _secret_index((table or tables()).secrets)
    prefilter, patterns = index
    if len(value) > 100_000 or not prefilter.search(value):
        return None
    for pattern, regex in patterns:
        for match in regex.finditer(value):
            token = match.group(0)
            if pattern.id == "private-key":
                if not _HAS_PRIVATE_KEY_BODY.search(value, match.start()):
                    continue
            elif _PLACEHOLDER.search(token) or shannon_entropy(token) < 3.0:
                continue
            return SecretMatch(pattern.id, pattern.description, pattern.confidence, match.start(), match.end())
    return None


def is_secret_name(name: str) -> bool:
    """Whether an identifier names a credential (``api_key``, ``DB_PASSWORD``, ``token``)."""
    return bool(SECRET_NAME.search(name)) and not _NOT_SECRET_NAME.search(name)


# --------------------------------------------------------------------------
# Paths


@dataclass(frozen=True, slots=True)
class StaticPath:
    """A path known statically: absolute (``/etc/hosts``) or in the user's home (``~/.bashrc``).

    ``path`` is normalised: absolute paths start with ``/`` (or a drive), home
    paths are relative to the home directory (``""`` for the home itself).
    """

    home: bool
    path: str

    def join(self, *parts: str) -> StaticPath:
        current = self
        for part in parts:
            if not part:
                continue
            parsed = parse_path(part)
            if parsed is not None:
                current = parsed
                continue
            if current.home:
                joined = posixpath.join(current.path, part) if current.path else part
                current = StaticPath(True, _normalise_relative(joined))
            else:
                current = StaticPath(False, _normalise_absolute(current.path.rstrip("/\\") + "/" + part))
        return current

    def concat(self, text: str) -> StaticPath | None:
        """The path with ``text`` appended as a string (``home + '/.bashrc'``)."""
        if self.home:
            return StaticPath(True, _normalise_relative(self.path + text))
        return parse_path(self.path + text)

    def display(self) -> str:
        if self.home:
            return f"~/{self.path}" if self.path else "~"
        return self.path


def _normalise_relative(path: str) -> str:
    normal = posixpath.normpath(path.replace("\\", "/"))
    return "" if normal == "." else normal.lstrip("/")


def _normalise_absolute(path: str) -> str:
    if re.match(r"^[A-Za-z]:[\\/]", path):
        return path[:3] + "\\".join(p for p in re.split(r"[\\/]+", path[3:]) if p)
    return posixpath.normpath(path) if path.startswith("/") else path


_HOME_PREFIXES = ("~/", "$HOME/", "${HOME}/", "%USERPROFILE%\\", "%USERPROFILE%/", "%HOME%/")


def parse_path(text: str) -> StaticPath | None:
    """A literal path string as a :class:`StaticPath`, or None when it is relative."""
    if text in ("~", "$HOME", "${HOME}", "%USERPROFILE%"):
        return StaticPath(True, "")
    for prefix in _HOME_PREFIXES:
        if text.startswith(prefix):
            return StaticPath(True, _normalise_relative(text[len(prefix):]))
    if text.startswith("/") and not text.startswith("//"):
        return StaticPath(False, _normalise_absolute(text))
    if re.match(r"^[A-Za-z]:[\\/]", text):
        return StaticPath(False, _normalise_absolute(text))
    return None


#: home files that start a shell (persistence when written)
SHELL_STARTUP = frozenset(
    {".bash_login", ".bash_profile", ".bashrc", ".config/fish/config.fish", ".profile", ".zlogin",
     ".zprofile", ".zshenv", ".zshrc"}
)
#: home files that configure tools but hold no secret (reading them is fine)
_NOT_SECRET_FILES = frozenset({".gitconfig", ".aws/config", ".config/pip/pip.conf", ".pip/pip.conf"})
_NOT_SECRET_SSH = frozenset({".ssh/known_hosts", ".ssh/config"})


@dataclass(frozen=True, slots=True)
class SensitivePath:
    kind: str  # "system", "shell-startup", "credentials"
    entry: str


def _matches_home_entry(path: str, entry: str) -> bool:
    if entry.endswith("/"):
        return path == entry[:-1] or path.startswith(entry)
    return path == entry


def classify_path(path: StaticPath, table: SecurityTables | None = None) -> SensitivePath | None:
    """Whether a static path is a system location, a shell start-up file or a credential file."""
    data = table or tables()
    if path.home:
        for entry in data.home_files:
            if _matches_home_entry(path.path, entry):
                kind = "shell-startup" if entry in SHELL_STARTUP else "credentials"
                return SensitivePath(kind, entry)
        return None
    text = path.path
    for prefix in data.system_prefixes:
        if prefix[1:2] == ":":
            lowered, low_prefix = text.lower(), prefix.lower()
            if lowered == low_prefix or lowered.startswith(low_prefix + "\\") or lowered.startswith(low_prefix + "/"):
                return SensitivePath("system", prefix)
        elif text == prefix or text.startswith(prefix + "/"):
            return SensitivePath("system", prefix)
    return None


def is_secret_file(path: StaticPath, table: SecurityTables | None = None) -> bool:
    """Whether reading this path reads a credential (a private key, a token file)."""
    found = classify_path(path, table)
    if found is None or found.kind != "credentials" or found.entry in _NOT_SECRET_FILES:
        return False
    if path.path in _NOT_SECRET_SSH or path.path.endswith(".pub"):
        return False
    return path.path != ".ssh"


__all__ = [
    "IMPORT_SYSTEM",
    "SHELL_STARTUP",
    "SecretMatch",
    "SensitivePath",
    "StaticPath",
    "classify_path",
    "find_secret",
    "import_permission",
    "in_package",
    "is_secret_file",
    "is_secret_name",
    "looks_random",
    "may_hold_secret",
    "parse_path",
    "shannon_entropy",
    "short_name",
    "tampered",
]
