"""Obfuscation on the syntax tree: encoded blobs, disguised names, split payloads, and where they go.

What the obfuscation rules (MB365-MB369,
:mod:`~mbcheck.checks.security.source_rules_obfuscation`) share, per file:

* the table (``rules/security/obfuscation.json``): blob thresholds, honest data
  formats, exotic codecs, protector stubs, split-payload thresholds, each with
  the reason for its values;
* :func:`blob_alphabet`, :func:`entropy` and :func:`content_kind`: whether a long
  literal is encoded data, and what it decodes to (an image, Python source,
  bytecode, a compressed stream...), decoded here as data within fixed bounds;
* :func:`techniques`: how an expression that folds to a string disguises it
  (character codes, an exotic codec, reversal, hex);
* :class:`Flow`: the obfuscated values of one file (:class:`Origin`) and where
  they go — names assigned from them, then decoders, code execution
  (``exec``/``eval``/``compile``/``marshal.loads``/imports/subprocesses, by the
  permission table) and name lookups (``getattr`` on a module, ``vars(m)[k]``...).
  It is filled during the file's one traversal and followed to a fixed point at
  the end, flow-insensitively per scope: a name assigned an obfuscated value
  anywhere in a function (or at module level) carries it everywhere there.

Nothing is run; only collectors and source rules use this module (it imports libcst).
"""

from __future__ import annotations

import ast
import base64
import binascii
import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import libcst as cst

from mbcheck.checks.security import fold, values
from mbcheck.checks.security.analysis import is_test_file
from mbcheck.checks.security.classify import shannon_entropy
from mbcheck.checks.security.endpoints import is_command
from mbcheck.checks.security.reflect import reach
from mbcheck.checks.security.tables import tables
from mbcheck.pyfile.literals import literal_bytes, literal_string
from mbcheck.pyfile.names import ident
from mbcheck.pyfile.traverse import FileContext
from mbcheck.resources import load_json

TABLE = "rules/security/obfuscation.json"

_BASE64 = re.compile(r"[A-Za-z0-9+/_-]+={0,2}")
_HEX = re.compile(r"[0-9a-fA-F]+")
_WALK_LIMIT = 2000
#: lengths of hex digests (MD5, SHA-1, SHA-224, SHA-256, SHA-384, SHA-512): a list of them is no blob
_DIGEST_LENGTHS = frozenset({32, 40, 56, 64, 96, 128})
#: the shortest line of a wrapped blob (base64 tools wrap at 64 or 76; shorter tokens are words)
_MIN_LINE = 40
#: labels of keys and certificates written as text
_KEY_LABELS = ("-----BEGIN", "ssh-rsa ", "ssh-ed25519 ", "ecdsa-sha2-", "ssh-dss ")
_BYTE_BUILDERS = ("bytes", "bytearray")


@dataclass(frozen=True, slots=True)
class ObfuscationTable:
    """The table, typed (see ``schemas/rules-security-obfuscation.schema.json``)."""

    min_length: int
    entropy: dict[str, float]
    sample: int
    signatures: tuple[tuple[bytes, str], ...]
    exotic_codecs: frozenset[str]
    protector_modules: frozenset[str]
    protector_names: frozenset[str]
    split_pieces: int
    split_length: int


@cache
def table() -> ObfuscationTable:
    """The obfuscation table (loaded once per process)."""
    data = load_json(TABLE)
    blob = data["blob"]
    return ObfuscationTable(
        min_length=blob["min_length"],
        entropy=dict(blob["entropy"]),
        sample=blob["sample"],
        signatures=tuple((bytes.fromhex(s["magic"]), s["name"]) for s in data["data_formats"]["signatures"]),
        exotic_codecs=frozenset(data["exotic_codecs"]["codecs"]),
        protector_modules=frozenset(data["protectors"]["modules"]),
        protector_names=frozenset(data["protectors"]["names"]),
        split_pieces=data["split"]["min_pieces"],
        split_length=data["split"]["min_length"],
    )


# --------------------------------------------------------------------------
# Blobs: long, high-entropy literals in an encoding's alphabet


def entropy(data: str | bytes) -> float:
    """Shannon entropy of ``data``, in bits per character (or byte)."""
    return shannon_entropy(data.decode("latin-1") if isinstance(data, bytes) else data)


def blob_alphabet(text: str) -> str | None:
    """``'hex'`` or ``'base64'`` when a string literal is a blob (by the table), else None.

    Only the first ``sample`` characters are measured, so a hostile literal of many
    megabytes costs no more than a short one."""
    data = table()
    if len(text) < data.min_length or any(label in text[:200] for label in _KEY_LABELS):
        return None  # a PEM certificate or an SSH public key: labelled, not hidden
    words = text[: data.sample].split()
    sample = "".join(words)
    if len(sample) < data.min_length:
        return None
    if len(words) > 1 and len(sample) < _MIN_LINE * (len(words) - 1):
        return None  # a list of words (opcodes, names), not a wrapped blob
    if _HEX.fullmatch(sample):
        if len(words) > 1 and all(len(w) in _DIGEST_LENGTHS for w in words[:-1]):
            return None  # digests separated by spaces or lines
        return "hex" if entropy(sample) >= data.entropy["hex"] else None
    if _BASE64.fullmatch(sample):
        return "base64" if entropy(sample) >= data.entropy["base64"] else None
    return None


def bytes_blob(value: bytes) -> bool:
    """Whether a bytes value is long and random enough to be a blob of raw binary."""
    data = table()
    return len(value) >= data.min_length and entropy(value[: data.sample]) >= data.entropy["bytes"]


def decode_blob(text: str, alphabet: str) -> bytes | None:
    """The first :data:`~mbcheck.checks.security.fold.MAX_FOLD` bytes a blob encodes, or None."""
    compact = "".join(text[: fold.MAX_FOLD * 2].split())
    try:
        if alphabet == "hex":
            compact = compact[: len(compact) // 2 * 2]
            return bytes.fromhex(compact)
        compact = compact.replace("-", "+").replace("_", "/").rstrip("=")
        compact += "=" * (-len(compact) % 4)
        return base64.b64decode(compact, validate=True)
    except (ValueError, binascii.Error):
        return None


@dataclass(frozen=True, slots=True)
class Content:
    """What decoded data is: ``kind`` is ``data`` (a known format), ``code`` (Python or a
    command line), ``bytecode``, ``text`` or ``binary``; ``description`` is for messages."""

    kind: str
    description: str

    @property
    def hidden_code(self) -> bool:
        return self.kind in ("code", "bytecode")


_COMPRESSED = ((b"\x1f\x8b", "gzip"), (b"BZh", "bz2"), (b"\xfd7zXZ\x00", "lzma"), (b"\x5d\x00\x00", "lzma"))


def content_kind(data: bytes, depth: int = 0) -> Content:
    """What decoded bytes are (see :class:`Content`); compressed streams are opened, bounded."""
    for magic, name in table().signatures:
        if data.startswith(magic):
            return Content("data", name)
    if len(data) >= 16 and ((data[0] in (0xE3, 0x63) and data[1:5].count(0) >= 2) or data[2:4] == b"\r\n"):
        return Content("bytecode", "marshalled Python bytecode")
    kind = None
    if len(data) >= 2 and data[0] == 0x78 and (data[0] * 256 + data[1]) % 31 == 0:
        kind = "zlib"
    for magic, name in _COMPRESSED:
        if data.startswith(magic):
            kind = name
    if kind is not None and depth < 3:
        inner = fold.decompress(kind, data)
        if inner:
            found = content_kind(inner, depth + 1)
            return Content(found.kind if found.kind != "text" else "binary", f"{kind}-compressed {found.description}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return Content("binary", "binary data")
    printable = sum(c.isprintable() or c in "\r\n\t" for c in text[:4096])
    if printable < 0.95 * min(len(text), 4096):
        return Content("binary", "binary data")
    if looks_like_code(text):
        return Content("code", "Python source" if _parses(text) else "a command line")
    return Content("text", "text")


def _parses(text: str) -> bool:
    """Whether ``text`` is a Python program that does something (imports, calls, defines)."""
    if len(text) > fold.MAX_FOLD:
        return False
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        cut = text.rfind("\n")  # a blob decoded in part ends mid-statement
        if cut <= 0 or cut == len(text) - 1:
            return False
        try:
            tree = ast.parse(text[:cut])
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return False
    if not tree.body:
        return False
    return any(isinstance(node, (ast.Import, ast.ImportFrom, ast.Call, ast.FunctionDef, ast.ClassDef))
               for node in ast.walk(tree))


def looks_like_code(text: str) -> bool:
    """Python source that does something, or a shell command line."""
    first = text.split(None, 1)[:1]
    if first and is_command(first[0], first):  # the first word is a program (curl, sh, powershell...)
        return True
    return _parses(text)


def encoded_pieces(pieces: list[str]) -> bool:
    """Whether the pieces of a split value are encoded (base64 or hex, no spaces): a payload cut
    up. Lines of readable code or text joined (``'\\n'.join(['import sys', ...])`` for
    ``python -c``) show what they do and are not hidden."""
    return all(_BASE64.fullmatch(piece.strip()) for piece in pieces if piece.strip())


# --------------------------------------------------------------------------
# How a folded string is disguised


#: fields that hold no expression (whitespace, punctuation) or a name that is not read
#: (``x.attr``, ``f(keyword=...)``): the walk skips them
_NOT_EXPRESSIONS = ("whitespace", "lpar", "rpar", "comma", "semicolon", "equal", "colon", "dot", "star_tok",
                    "lbracket", "rbracket", "lbrace", "rbrace", "header", "footer", "leading_lines",
                    "lines_after_decorators", "operator", "attr", "keyword")
_FIELDS: dict[type, tuple[str, ...]] = {}


def _children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """The children of ``node`` that may hold expressions (libcst's ``children`` runs a visitor
    per node and includes every whitespace node; this reads the fields directly)."""
    names = _FIELDS.get(type(node))
    if names is None:
        names = _FIELDS[type(node)] = tuple(
            f.name for f in dataclasses.fields(node)
            if not any(part in f.name for part in _NOT_EXPRESSIONS))
    out: list[cst.CSTNode] = []
    for name in names:
        value = getattr(node, name)
        if isinstance(value, cst.CSTNode):
            out.append(value)
        elif isinstance(value, (tuple, list)):
            out.extend(item for item in value if isinstance(item, cst.CSTNode))
    return out


def _walk(node: cst.CSTNode, limit: int = _WALK_LIMIT) -> Iterator[cst.CSTNode]:
    """The nodes of an expression, outermost first, left to right, at most ``limit``
    (not into lambdas and functions: their bodies run elsewhere)."""
    pending: list[cst.CSTNode] = [node]
    count = 0
    while pending and count < limit:
        current = pending.pop()
        count += 1
        yield current
        if (type(current) is cst.Lambda or type(current) is cst.FunctionDef):
            continue
        pending.extend(reversed(_children(current)))


def _builtin(ctx: FileContext, node: cst.BaseExpression, names: tuple[str, ...]) -> bool:
    return (type(node) is cst.Name and ident(node.value) in names
            and ctx.names.lookup(node.value) == f"builtins.{ident(node.value)}")


_HEX_DECODERS = frozenset({"builtins.bytes.fromhex", "builtins.bytearray.fromhex", "binascii.unhexlify",
                           "binascii.a2b_hex", "base64.b16decode"})


def _codec_of(ctx: FileContext, call: cst.Call) -> str | None:
    """The exotic codec a call applies (``.decode('cp1026')``, ``codecs.decode(x, 'rot13')``)."""
    func = call.func
    position = None
    if type(func) is cst.Attribute and func.attr.value in ("decode", "encode"):
        name = values.resolve(ctx, func)
        position = 1 if name in ("codecs.decode", "codecs.encode") else 0
    elif _builtin(ctx, func, ("str", "bytes")) or values.resolve(ctx, func) in ("codecs.decode", "codecs.encode"):
        position = 1
    if position is None:
        return None
    chosen: cst.BaseExpression | None = None
    for index, arg in enumerate(call.args):
        if (arg.keyword is not None and arg.keyword.value == "encoding") or (arg.keyword is None and index == position):
            chosen = arg.value
    text = values.fold_string(ctx, chosen) if chosen is not None else None
    canonical = fold.codec_name(text) if text is not None else None
    return canonical if canonical in table().exotic_codecs else None


def techniques(ctx: FileContext, node: cst.CSTNode) -> list[str]:
    """How an expression disguises its value: ``character codes``, ``byte values``, ``hex``,
    ``base64``, ``the cp1026 codec``, ``reversal``, ``compression`` (in order of appearance)."""
    found: list[str] = []

    def add(what: str) -> None:
        if what not in found:
            found.append(what)

    for current in _walk(node, 400):
        if type(current) is cst.Subscript and values.is_reversal(current):
            add("reversal")
        if type(current) is not cst.Call:
            continue
        func = current.func
        if _builtin(ctx, func, ("chr",)) or (_builtin(ctx, func, ("map",)) and current.args and _builtin(ctx, current.args[0].value, ("chr",))):
            add("character codes")
        elif _builtin(ctx, func, _BYTE_BUILDERS) and len(current.args) == 1 and isinstance(
                current.args[0].value, (cst.List, cst.Tuple, cst.GeneratorExp, cst.ListComp, cst.Name, cst.Call)):
            add("byte values")
        elif _builtin(ctx, func, ("reversed",)):
            add("reversal")
        codec = _codec_of(ctx, current)
        if codec is not None:
            add("hex" if codec == "hex_codec" else f"the {codec} codec")
            continue
        name = values.resolve(ctx, func)
        if name in _HEX_DECODERS:
            add("hex")
        elif name is not None and name.startswith(("base64.", "binascii.a2b")) and name in tables().decoders:
            add("base64")
        elif name in fold.DECOMPRESSORS:
            add("compression")
    return found


def meaningful(text: str) -> bool:
    """A value worth hiding: at least two letters or digits, all printable (``chr(27) + '[0m'``
    and ``''.join(map(chr, range(32)))`` are terminal codes and tables, not names)."""
    return sum(c.isalnum() for c in text) >= 2 and text.isprintable() and not text.isdigit()


@cache
def _sensitive_names() -> frozenset[str]:
    """Names whose spelling a split hides: dangerous builtins, modules and functions of the table."""
    data = tables()
    names = {"eval", "exec", "compile", "__import__", "getattr", "open", "__builtins__", "globals", "vars"}
    for key in (*data.calls, *data.modules):
        names.update(part for part in key.split(".") if part != "builtins")
    return frozenset(names)


def split_name(ctx: FileContext, node: cst.BaseExpression, value: str) -> bool:
    """Whether a dangerous name is written in pieces that cut a word (``'sys' + 'tem'``,
    ``'%s%s' % ('o', 's')``; ``'os.' + 'path'`` cuts at the dot and is ordinary)."""
    parts = value.split(".")
    if not all(p.isidentifier() for p in parts) or not any(p in _sensitive_names() for p in parts):
        return False
    leaves = [text for n in _walk(node, 200) if type(n) is cst.SimpleString
              for text in [literal_string(n)] if text is not None]
    if len(leaves) < 2:
        return False
    if "".join(leaves) != value:
        return True  # formatted: the pieces are not even in order
    position = 0
    for piece in leaves[:-1]:
        position += len(piece)
        if 0 < position < len(value) and _word(value[position - 1]) and _word(value[position]):
            return True
    return False


def _word(char: str) -> bool:
    return char.isalnum() or char == "_"


_ROOT_METHODS = frozenset({"join", "decode", "encode", "format", "replace", "lower", "upper", "strip", "swapcase",
                           "title", "capitalize", "lstrip", "rstrip"})
_ROOT_BUILTINS = ("chr", "bytes", "bytearray", "str")


def _disguise_root(ctx: FileContext, node: cst.BaseExpression) -> bool:
    """A cheap test before :func:`techniques`: can this node be the top of a disguised string?"""
    if (type(node) is cst.BinaryOperation or type(node) is cst.Subscript):
        return True
    if type(node) is not cst.Call:
        return False
    func = node.func
    if type(func) is cst.Attribute:
        return func.attr.value in _ROOT_METHODS
    return _builtin(ctx, func, _ROOT_BUILTINS) or values.resolve(ctx, func) in ("codecs.decode", "codecs.encode")


# --------------------------------------------------------------------------
# The flow of obfuscated values in one file

Key = tuple[int, str]


@dataclass
class Origin:
    """An obfuscated value in the source: a blob, an assembled string, a split payload, a stub."""

    kind: str
    node: cst.CSTNode
    detail: str
    value: str = ""
    content: Content | None = None
    #: where it goes: ``(sink kind, what, node)`` with kind ``decode``, ``exec`` or ``name``
    reached: list[tuple[str, str, cst.CSTNode]] = field(default_factory=list)
    #: the statement it is in (findings are placed on it for suppressions)
    statement: cst.CSTNode | None = None

    def reaches(self, *kinds: str) -> tuple[str, str, cst.CSTNode] | None:
        return next((r for r in self.reached if r[0] in kinds), None)


@dataclass
class _Sink:
    """A call (or lookup) values may reach; ``exprs`` are read, with the scopes then open,
    only when the file has an origin (most files have none, and cost nothing more)."""

    kind: str
    what: str
    node: cst.CSTNode
    exprs: list[cst.BaseExpression]
    scopes: list[Any]


class Flow:
    """The obfuscated values of one file and where they go (see the module docstring)."""

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        self.test_file = is_test_file(ctx.path)
        self.owner: object | None = None
        self.origins: dict[int, Origin] = {}
        #: assignments: target key, the value, the scopes open there (followed at the end)
        self.assigns: list[tuple[Key, cst.BaseExpression, list[Any]]] = []
        #: ``name += 'piece'`` per key: (pieces, characters, first node)
        self.pieces: dict[Key, tuple[int, int, cst.CSTNode]] = {}
        #: the statement of the first ``+=`` per key, and whether every piece is encoded text
        self.piece_statements: dict[Key, cst.CSTNode | None] = {}
        self.piece_texts: dict[Key, bool] = {}
        self.sinks: list[_Sink] = []
        self.stubs: list[tuple[cst.CSTNode, str]] = []
        self._covered: set[int] = set()
        self._scopes: list[object] = []
        self._done = False

    # -- recording, during the traversal -------------------------------------

    def claim(self, rule: object) -> bool:
        """Whether ``rule`` feeds the flow (the first obfuscation rule of the file does)."""
        if self.owner is None:
            self.owner = rule
        return self.owner is rule

    def _add(self, origin: Origin) -> None:
        origin.statement = self.ctx.statement
        self.origins[id(origin.node)] = origin

    def _key(self, name: str, target: bool = False, scopes: list[Any] | None = None) -> Key:
        scopes = self.ctx.names.scopes if scopes is None else scopes
        name = ident(name)
        chosen: object = scopes[0]
        if target:
            chosen = scopes[-1]
        else:
            for index in range(len(scopes) - 1, -1, -1):
                if scopes[index].is_class and index != len(scopes) - 1:
                    continue
                if name in scopes[index].bindings:
                    chosen = scopes[index]
                    break
        self._scopes.append(chosen)  # kept alive, so its id is not reused
        return id(chosen), name

    def _refs(self, exprs: list[cst.BaseExpression], scopes: list[Any]) -> tuple[list[Key], set[int]]:
        keys: list[Key] = []
        ids: set[int] = set()
        for expr in exprs:
            for node in _walk(expr):
                ids.add(id(node))
                if type(node) is cst.Name:
                    keys.append(self._key(node.value, scopes=scopes))
        return keys, ids

    def skip(self, node: cst.BaseExpression) -> None:
        """A docstring or bare string statement: documentation, not a blob."""
        for inner in _walk(node, 50):
            self._covered.add(id(inner))

    def assignment(self, targets: list[cst.BaseExpression], value: cst.BaseExpression, augmented: bool = False) -> None:
        names = [t.value for t in targets if type(t) is cst.Name]
        if not names:
            return
        scopes = list(self.ctx.names.scopes)
        for name in names:
            key = self._key(name, target=True)
            self.assigns.append((key, value, scopes))
            if augmented:
                text = literal_string(value)
                if text is not None:
                    self.piece_statements.setdefault(key, self.ctx.statement)
                    self.piece_texts[key] = self.piece_texts.get(key, True) and encoded_pieces([text])
                    count, size, first = self.pieces.get(key, (0, 0, value))
                    self.pieces[key] = (count + 1, size + len(text), first)

    def string(self, node: cst.SimpleString | cst.ConcatenatedString) -> None:
        if id(node) in self._covered:
            return
        part: cst.BaseExpression = node
        while type(part) is cst.ConcatenatedString:  # its pieces are one literal
            self._covered.update((id(part), id(part.left)))
            part = part.right
        self._covered.add(id(part))
        text = literal_string(node)
        if text is not None:
            alphabet = blob_alphabet(text)
            if alphabet is not None:
                decoded = decode_blob(text, alphabet)
                content = content_kind(decoded) if decoded else Content("binary", "undecodable data")
                self._add(Origin("blob", node, f"a {len(text)}-character {alphabet} literal",
                                                content=content))
            return
        data = literal_bytes(node) if type(node) is cst.SimpleString else None
        if data is None:
            return
        alphabet = blob_alphabet(data.decode("latin-1")) if len(data) >= table().min_length else None
        if alphabet is not None:
            decoded = decode_blob(data.decode("latin-1"), alphabet)
            content = content_kind(decoded) if decoded else Content("binary", "undecodable data")
            self._add(Origin("blob", node, f"a {len(data)}-byte {alphabet} literal", content=content))
        elif bytes_blob(data):
            self._add(Origin("blob", node, f"a {len(data)}-byte binary literal",
                                            content=content_kind(data)))

    def call(self, node: cst.Call) -> None:
        ctx = self.ctx
        name = values.resolve(ctx, node.func)
        self._byte_list(node)
        self._assembled(node)
        self._split_join(node)
        if type(node.func) is cst.Name and ident(node.func.value) in table().protector_names:
            self.stubs.append((node, f"a call of `{node.func.value}`"))
        decoding = name is not None and (name in tables().decoders or name in fold.DECOMPRESSORS)
        if type(node.func) is cst.Attribute and node.func.attr.value in ("decode", "translate") and name is None:
            self._sink("decode", f"`.{node.func.attr.value}()`", node, [node.func.value, *(a.value for a in node.args)])
        elif decoding and name is not None:
            self._sink("decode", f"`{name}`", node, [a.value for a in node.args])
        if name is not None and not decoding:
            permission = tables().permission_of(name)
            if permission is not None and permission[0] in ("dynamic-code", "subprocess"):
                self._sink("exec", f"`{name.removeprefix('builtins.')}`", node, [a.value for a in node.args])
            elif name == "builtins.getattr" and len(node.args) >= 2:
                base = values.resolve(ctx, node.args[0].value)
                if base is not None and not values.plugin_internal(ctx, base):
                    self._sink("name", f"`getattr` on `{base}`", node, [node.args[1].value])
        found = reach(ctx, node)
        if found is not None:
            self._sink("name", f"`{found.form}`", node, [found.key])

    def subscript(self, node: cst.Subscript) -> None:
        found = reach(self.ctx, node)
        if found is not None:
            self._sink("name", f"`{found.form}`", node, [found.key])
        if values.is_reversal(node):
            self._assembled(node)

    def binary(self, node: cst.BinaryOperation) -> None:
        if (type(node.operator) is cst.Add or type(node.operator) is cst.Modulo):
            self._split_add(node)
            self._assembled(node)

    def module_name(self, node: cst.CSTNode, module: str) -> None:
        top = module.split(".", 1)[0]
        stem = re.sub(r"_\d+$", "", top)
        if top in table().protector_modules or stem in table().protector_modules:
            self.stubs.append((node, f"an import of `{module}`"))

    def _sink(self, kind: str, what: str, node: cst.CSTNode, exprs: list[cst.BaseExpression]) -> None:
        self.sinks.append(_Sink(kind, what, node, list(exprs), list(self.ctx.names.scopes)))

    def _byte_list(self, node: cst.Call) -> None:
        """``bytes([...])`` of a long list of integers: a blob written as numbers."""
        if not (_builtin(self.ctx, node.func, _BYTE_BUILDERS) and len(node.args) == 1):
            return
        arg = node.args[0].value
        if (type(arg) is not cst.List and type(arg) is not cst.Tuple) or len(arg.elements) < table().min_length:
            return
        data = values.fold_bytes(self.ctx, node)
        if data is not None:
            self.skip(node)
            self._add(Origin("blob", node, f"a list of {len(data)} byte values",
                                            content=content_kind(data)))

    def _assembled(self, node: cst.BaseExpression) -> None:
        if id(node) in self._covered or not _disguise_root(self.ctx, node):
            return
        used = techniques(self.ctx, node)
        if not used or any(type(n) is cst.Call and _builtin(self.ctx, n.func, ("range",)) for n in _walk(node, 400)):
            return  # ``''.join(map(chr, range(32, 127)))``: a table of characters, not a disguise
        value = values.fold_string(self.ctx, node)
        if value is None or not meaningful(value):
            return
        if used == ["hex"] and not value.isidentifier():
            return  # decoded data: a blob's business (MB365), not a disguised name
        self.skip(node)
        for inner in _walk(node, 400):
            self._covered.add(id(inner))
        self._add(Origin("assembled", node, " and ".join(used), value=value))

    def _split_add(self, node: cst.BinaryOperation) -> None:
        if id(node) in self._covered:
            return
        pieces: list[str] = []
        pending: list[cst.BaseExpression] = [node]
        while pending and len(pieces) < fold.MAX_ITEMS:
            current = pending.pop()
            if type(current) is cst.BinaryOperation and type(current.operator) is cst.Add:
                self._covered.add(id(current))
                pending += [current.right, current.left]
                continue
            text = literal_string(current)
            if text is not None:
                pieces.append(text)
        self._split(node, pieces)
        if id(node) not in self.origins:
            value = values.fold_string(self.ctx, node)
            if value is not None and split_name(self.ctx, node, value):
                self._add(Origin("assembled", node, "pieces", value=value))

    def _split_join(self, node: cst.Call) -> None:
        func = node.func
        if not (type(func) is cst.Attribute and func.attr.value == "join" and len(node.args) == 1):
            return
        arg = node.args[0].value
        if type(arg) is cst.Name:
            held = fold.module_value(self.ctx, arg.value)
            arg = held if held is not None else arg
        if (type(arg) is cst.List or type(arg) is cst.Tuple):
            pieces = [t for t in (literal_string(e.value) for e in arg.elements[: fold.MAX_ITEMS]) if t is not None]
            self._split(node, pieces)
        if id(node) not in self.origins:
            value = values.fold_string(self.ctx, node)
            if value is not None and split_name(self.ctx, node, value):
                self._add(Origin("assembled", node, "pieces", value=value))

    def _split(self, node: cst.BaseExpression, pieces: list[str]) -> None:
        data = table()
        if len(pieces) >= data.split_pieces and sum(map(len, pieces)) >= data.split_length \
                and encoded_pieces(pieces):
            self._add(Origin("split", node, f"{len(pieces)} literal pieces",
                                            value="".join(pieces)[: fold.MAX_FOLD]))

    # -- following, once, after the traversal ---------------------------------

    def finish(self) -> None:
        """Follow names to a fixed point and record where each origin goes."""
        if self._done:
            return
        self._done = True
        data = table()
        carried: dict[Key, set[int]] = {}
        statements = self.piece_statements
        for key, (count, size, first) in self.pieces.items():
            if count >= data.split_pieces and size >= data.split_length and self.piece_texts.get(key, True):
                origin = Origin("split", first, f"{count} pieces added with `+=`", statement=statements.get(key))
                self.origins[id(first)] = origin
                carried.setdefault(key, set()).add(id(first))
        if not self.origins:
            return  # nothing obfuscated: nothing to follow
        assigns = [(key, *self._refs([value], scopes)) for key, value, scopes in self.assigns]
        for _ in range(20):
            changed = False
            for key, keys, ids in assigns:
                found = carried.setdefault(key, set())
                before = len(found)
                found.update(i for i in ids if i in self.origins)
                for other in keys:
                    if other != key and other in carried:
                        found.update(carried[other])
                changed = changed or len(found) != before
            if not changed:
                break
        for sink in self.sinks:
            keys, ids = self._refs(sink.exprs, sink.scopes)
            reached = {i for i in ids if i in self.origins}
            for key in keys:
                reached.update(carried.get(key, ()))
            for origin_id in reached:
                self.origins[origin_id].reached.append((sink.kind, sink.what, sink.node))


def flow(ctx: FileContext) -> Flow:
    """The file's :class:`Flow`, made on first use."""
    st = values.state(ctx)
    if st.obfuscation is None:
        st.obfuscation = Flow(ctx)
    found = st.obfuscation
    assert isinstance(found, Flow)
    return found


__all__ = [
    "TABLE",
    "Content",
    "Flow",
    "ObfuscationTable",
    "Origin",
    "blob_alphabet",
    "bytes_blob",
    "content_kind",
    "decode_blob",
    "entropy",
    "flow",
    "looks_like_code",
    "meaningful",
    "split_name",
    "table",
    "techniques",
]
