"""Bounded constant folding of the disguises malicious code uses for its strings.

:func:`~mbcheck.checks.security.values.fold_string` and
:func:`~mbcheck.checks.security.values.fold_bytes` know the plain forms
(literals, ``+``, ``''.join([...])``, ``[::-1]``, ``chr(n)``, base64 and hex
of a literal); this module adds the rest of what obfuscators write, so every
rule that asks for a name (``eval``/``exec``, imports, ``getattr``, the
permission table) sees the real one:

* ``''.join(chr(c ^ 7) for c in [...])``, ``''.join(chr(ord(c) - 1) for c in 'ptt')``,
  ``bytes([111, 115]).decode()``, ``bytes(c ^ k for c in b'...')``: comprehensions
  over literal items, with small integer arithmetic;
* ``b'\\x96\\xa2'.decode('cp1026')``, ``codecs.decode(b'...', 'cp1026')``,
  ``str(b'...', 'cp500')``, ``'...'.encode('cp037')``: any text codec of the
  standard library's ``encodings`` package (looked up by name, never a codec
  found elsewhere), ``codecs.decode(x, 'rot13' / 'hex' / 'base64' / 'zlib')``;
* ``'%s%s' % ('o', 's')`` and ``'{}{}'.format('o', 's')`` with plain fields only;
* ``zlib`` / ``gzip`` / ``bz2`` / ``lzma`` decompression of static bytes;
* module-level names assigned once to any of these, or built with ``+=`` of pieces.

Every step is bounded, so a hostile file cannot make folding hang or exhaust
memory: a folded value is at most :data:`MAX_FOLD` characters (or bytes),
decompression stops at that size, a sequence is at most :data:`MAX_ITEMS`
items, integers stay within :data:`MAX_INT`, and each node is folded once per
file (the results are kept in the file's state). Nothing is executed.

Only the security checks use this module (it imports libcst).
"""

from __future__ import annotations

import binascii
import bz2
import codecs
import encodings
import encodings.aliases
import lzma
import pkgutil
import string
import zlib
from functools import cache

import libcst as cst

from mbcheck.checks.security import values
from mbcheck.pyfile.literals import literal_int, literal_string
from mbcheck.pyfile.names import ident
from mbcheck.pyfile.traverse import FileContext

#: the largest string or bytes value folding produces (a longer one is "not static")
MAX_FOLD = 65_536
#: the most items a folded sequence may have
MAX_ITEMS = 65_536
#: the largest magnitude of an integer in folded arithmetic
MAX_INT = 1 << 32
#: bytes-to-bytes codecs ``codecs.decode`` may name, by their canonical name
_BYTE_CODECS = frozenset({"hex_codec", "base64_codec", "zlib_codec", "bz2_codec"})
_INT_OPERATORS = (cst.Add, cst.Subtract, cst.Multiply, cst.BitXor, cst.Modulo, cst.FloorDivide, cst.BitAnd, cst.BitOr)
_NOT_FOLDED = object()


# --------------------------------------------------------------------------
# Codecs: only those of the standard library's ``encodings`` package


@cache
def _codec_modules() -> frozenset[str]:
    return frozenset(info.name for info in pkgutil.iter_modules(encodings.__path__))


def codec_name(name: str) -> str | None:
    """The canonical name of a standard-library codec (``'CP-1026'`` -> ``'cp1026'``), or None.

    Only modules of the ``encodings`` package count, found by their file names, so a
    name from the analysed file never makes Python import anything else."""
    if not name or len(name) > 64:
        return None
    normal = encodings.normalize_encoding(name).lower()
    canonical = encodings.aliases.aliases.get(normal, normal)
    return canonical if canonical in _codec_modules() else None


def _text_codec(name: str) -> str | None:
    canonical = codec_name(name)
    if canonical is None:
        return None
    try:
        info = codecs.lookup(canonical)
    except LookupError:
        return None
    return canonical if getattr(info, "_is_text_encoding", True) else None


def decode_text(data: bytes, encoding: str) -> str | None:
    """``data.decode(encoding)`` with a text codec of the standard library, or None."""
    canonical = _text_codec(encoding)
    if canonical is None or len(data) > MAX_FOLD:
        return None
    try:
        text = data.decode(canonical)
    except (UnicodeError, LookupError, ValueError):
        return None
    return text if len(text) <= MAX_FOLD else None


def encode_text(text: str, encoding: str) -> bytes | None:
    """``text.encode(encoding)`` with a text codec of the standard library, or None."""
    canonical = _text_codec(encoding)
    if canonical is None or len(text) > MAX_FOLD:
        return None
    try:
        data = text.encode(canonical)
    except (UnicodeError, LookupError, ValueError):
        return None
    return data if len(data) <= MAX_FOLD else None


def decompress(kind: str, data: bytes) -> bytes | None:
    """``data`` decompressed by ``zlib``/``gzip``/``bz2``/``lzma``, at most :data:`MAX_FOLD` bytes, or None."""
    try:
        if kind == "zlib":
            return zlib.decompressobj().decompress(data, MAX_FOLD)
        if kind == "gzip":
            return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data, MAX_FOLD)
        if kind == "bz2":
            return bz2.BZ2Decompressor().decompress(data, MAX_FOLD)
        if kind == "lzma":
            return lzma.LZMADecompressor().decompress(data, MAX_FOLD)
    except (zlib.error, OSError, EOFError, ValueError, lzma.LZMAError):
        return None
    return None


#: decompressors, by qualified name
DECOMPRESSORS = {"zlib.decompress": "zlib", "gzip.decompress": "gzip", "bz2.decompress": "bz2",
                 "lzma.decompress": "lzma"}


# --------------------------------------------------------------------------
# Module-level names: assigned once, or built with ``+=``


def module_expressions(module: cst.Module) -> dict[str, cst.BaseExpression]:
    """Module-level names whose value is one expression: assigned exactly once, or
    assigned once and then only extended with ``+=`` at module level (the pieces become
    one ``''.join([...])``, so a payload split over hundreds of lines folds in one step)."""
    found: dict[str, list[cst.BaseExpression] | None] = {}
    for statement in module.body:
        if type(statement) is not cst.SimpleStatementLine:
            continue
        for small in statement.body:
            if type(small) is cst.Assign and len(small.targets) == 1:
                target: cst.BaseExpression = small.targets[0].target
                value: cst.BaseExpression | None = small.value
            elif type(small) is cst.AnnAssign:
                target, value = small.target, small.value
            elif type(small) is cst.AugAssign and type(small.operator) is cst.AddAssign:
                if type(small.target) is cst.Name:
                    pieces = found.get(small.target.value)
                    if pieces is not None and len(pieces) < MAX_ITEMS:
                        pieces.append(small.value)
                    else:
                        found[small.target.value] = None
                continue
            else:
                for name in _assigned_names(small):
                    found[name] = None
                continue
            if type(target) is not cst.Name:
                for name in _assigned_names(small):
                    found[name] = None
                continue
            found[target.value] = None if target.value in found or value is None else [value]
    out: dict[str, cst.BaseExpression] = {}
    for name, pieces in found.items():
        if not pieces:
            continue
        if len(pieces) == 1:
            out[name] = pieces[0]
        else:
            out[name] = cst.Call(cst.Attribute(cst.SimpleString("''"), cst.Name("join")),
                                 [cst.Arg(cst.List([cst.Element(p) for p in pieces]))])
    return out


def _assigned_names(small: cst.BaseSmallStatement) -> list[str]:
    targets: list[cst.BaseExpression] = []
    if type(small) is cst.Assign:
        targets = [t.target for t in small.targets]
    elif (type(small) is cst.AnnAssign or type(small) is cst.AugAssign):
        targets = [small.target]
    names: list[str] = []
    pending = list(targets)
    while pending:
        node = pending.pop()
        if type(node) is cst.Name:
            names.append(node.value)
        elif (type(node) is cst.Tuple or type(node) is cst.List):
            pending.extend(e.value for e in node.elements)
        elif type(node) is cst.StarredElement:
            pending.append(node.value)
    return names


def module_value(ctx: FileContext, name: str) -> cst.BaseExpression | None:
    """The expression a module-level name holds (see :func:`module_expressions`), or None
    when the name is bound in an enclosing function or class, or is not such a name."""
    st = values.state(ctx)
    if st.expressions is None:
        st.expressions = module_expressions(ctx.module)
    found = st.expressions.get(name)
    if found is None or any(ident(name) in scope.bindings for scope in ctx.names.scopes[1:]):
        return None
    return found


# --------------------------------------------------------------------------
# Sequences and small integers


def _builtin(ctx: FileContext, node: cst.BaseExpression, *names: str) -> str | None:
    if type(node) is cst.Name and ident(node.value) in names:
        found = ctx.names.lookup(node.value)
        if found == f"builtins.{ident(node.value)}":
            return ident(node.value)
    return None


Env = dict[str, "int | str"]


def int_value(ctx: FileContext, node: cst.BaseExpression, env: Env, depth: int = 0) -> int | None:
    """A small integer: a literal, a comprehension variable, ``ord(c)``, ``int('12')``,
    or ``+ - * ^ % // & |`` of them (every value within :data:`MAX_INT`)."""
    if depth > 20:
        return None
    found: int | None = None
    if type(node) is cst.Integer:
        found = literal_int(node)
    elif type(node) is cst.Name:
        bound = env.get(node.value)
        found = bound if isinstance(bound, int) else None
    elif type(node) is cst.UnaryOperation and type(node.operator) is cst.Minus:
        inner = int_value(ctx, node.expression, env, depth + 1)
        found = None if inner is None else -inner
    elif type(node) is cst.BinaryOperation and isinstance(node.operator, _INT_OPERATORS):
        left = int_value(ctx, node.left, env, depth + 1)
        right = int_value(ctx, node.right, env, depth + 1) if left is not None else None
        if left is None or right is None:
            return None
        found = _arith(node.operator, left, right)
    elif type(node) is cst.Call and len(node.args) == 1 and not node.args[0].keyword:
        which = _builtin(ctx, node.func, "ord", "int")
        arg = node.args[0].value
        text: str | int | None = env.get(arg.value) if type(arg) is cst.Name else None
        if text is None:
            text = values.fold_string(ctx, arg, depth + 1)
        if which == "ord" and isinstance(text, str) and len(text) == 1:
            found = ord(text)
        elif which == "int" and isinstance(text, str) and 0 < len(text) <= 12:
            try:
                found = int(text)
            except ValueError:
                return None
    elif type(node) is cst.Call and _builtin(ctx, node.func, "int") and len(node.args) == 2:
        first = node.args[0].value
        text = env.get(first.value) if type(first) is cst.Name else None
        if text is None:
            text = values.fold_string(ctx, first, depth + 1)
        base = literal_int(node.args[1].value)
        if isinstance(text, str) and 0 < len(text) <= 40 and base is not None and 2 <= base <= 36:
            try:
                found = int(text, base)
            except ValueError:
                return None
    return found if found is not None and -MAX_INT <= found <= MAX_INT else None


def _arith(operator: cst.BaseBinaryOp, left: int, right: int) -> int | None:
    if type(operator) is cst.Add:
        return left + right
    if type(operator) is cst.Subtract:
        return left - right
    if type(operator) is cst.Multiply:
        return left * right
    if type(operator) is cst.BitXor:
        return left ^ right
    if type(operator) is cst.BitAnd:
        return left & right
    if type(operator) is cst.BitOr:
        return left | right
    if right == 0:
        return None
    return left % right if type(operator) is cst.Modulo else left // right


def items(ctx: FileContext, node: cst.BaseExpression, depth: int = 0) -> list[int | str] | None:
    """The items of a static iterable: a list/tuple of integers or strings, a string
    (its characters), bytes (their values), ``reversed(...)`` of one, ``range(a, b)``,
    or a module-level name holding one (at most :data:`MAX_ITEMS` items)."""
    if depth > 20:
        return None
    if type(node) is cst.Name:
        held = module_value(ctx, node.value)
        if held is not None and (type(held) is cst.List or type(held) is cst.Tuple):
            return items(ctx, held, depth + 1)
    if (type(node) is cst.List or type(node) is cst.Tuple or type(node) is cst.Set):
        if len(node.elements) > MAX_ITEMS:
            return None
        out: list[int | str] = []
        for element in node.elements:
            if type(element) is not cst.Element:
                return None
            number = int_value(ctx, element.value, {}, depth + 1)
            if number is not None:
                out.append(number)
                continue
            text = values.fold_string(ctx, element.value, depth + 1)
            if text is None:
                return None
            out.append(text)
        return out
    if type(node) is cst.Call:
        which = _builtin(ctx, node.func, "reversed", "range", "list", "tuple")
        if which in ("reversed", "list", "tuple") and len(node.args) == 1:
            inner = items(ctx, node.args[0].value, depth + 1)
            return None if inner is None else inner[::-1] if which == "reversed" else inner
        if which == "range" and 1 <= len(node.args) <= 3:
            bounds = [int_value(ctx, a.value, {}, depth + 1) for a in node.args]
            if any(b is None for b in bounds):
                return None
            try:
                span = range(*[b for b in bounds if b is not None])
            except ValueError:
                return None
            return list(span) if len(span) <= MAX_ITEMS else None
    data = values.fold_bytes(ctx, node, depth + 1)
    if data is not None:
        return list(data)
    text = values.fold_string(ctx, node, depth + 1)
    return list(text) if text is not None else None


def _comprehension(node: cst.BaseExpression) -> tuple[cst.BaseExpression, str, cst.BaseExpression] | None:
    """``(element, variable, iterable)`` of ``x for v in it`` with one ``for`` and no ``if``."""
    if (type(node) is cst.GeneratorExp or type(node) is cst.ListComp):
        comp = node.for_in
        if type(comp.target) is cst.Name and comp.inner_for_in is None and not comp.ifs and not comp.asynchronous:
            return node.elt, comp.target.value, comp.iter
    return None


def _map_call(ctx: FileContext, node: cst.BaseExpression) -> tuple[str, cst.BaseExpression] | None:
    """``(function, iterable)`` of ``map(chr, it)`` / ``map(ord, it)`` / ``map(int, it)``."""
    if type(node) is cst.Call and _builtin(ctx, node.func, "map") and len(node.args) == 2:
        function = _builtin(ctx, node.args[0].value, "chr", "ord", "int", "str")
        if function is not None:
            return function, node.args[1].value
    return None


def _element_string(ctx: FileContext, elt: cst.BaseExpression, env: Env, depth: int) -> str | None:
    """One folded element of a string comprehension: ``chr(<int>)``, the variable, or a literal."""
    if type(elt) is cst.Call and _builtin(ctx, elt.func, "chr") and len(elt.args) == 1:
        number = int_value(ctx, elt.args[0].value, env, depth + 1)
        return chr(number) if number is not None and 0 <= number < 0x110000 else None
    if type(elt) is cst.Name and elt.value in env:
        bound = env[elt.value]
        return bound if isinstance(bound, str) else None
    return literal_string(elt)


def string_items(ctx: FileContext, node: cst.BaseExpression, depth: int) -> list[str] | None:
    """The strings a ``''.join(...)`` argument yields: a comprehension whose element is
    ``chr(...)``, ``map(chr, ...)``, ``reversed('...')``, or a static list of strings."""
    comp = _comprehension(node)
    if comp is not None:
        elt, variable, iterable = comp
        found = items(ctx, iterable, depth + 1)
        if found is None:
            return None
        out: list[str] = []
        total = 0
        for item in found:
            text = _element_string(ctx, elt, {variable: item}, depth)
            if text is None:
                return None
            total += len(text)
            if total > MAX_FOLD:
                return None
            out.append(text)
        return out
    mapped = _map_call(ctx, node)
    if mapped is not None:
        function, iterable = mapped
        found = items(ctx, iterable, depth + 1)
        if found is None or function not in ("chr", "str"):
            return None
        if function == "chr":
            if not all(isinstance(i, int) and 0 <= i < 0x110000 for i in found):
                return None
            return [chr(i) for i in found if isinstance(i, int)]
        return [str(i) for i in found]
    found = items(ctx, node, depth + 1)
    if found is None or not all(isinstance(i, str) for i in found):
        return None
    return [i for i in found if isinstance(i, str)]


def byte_items(ctx: FileContext, node: cst.BaseExpression, depth: int) -> bytes | None:
    """The bytes ``bytes(...)``/``bytearray(...)`` makes of a static iterable of integers
    (a list, a comprehension such as ``c ^ 7 for c in [...]``, ``map(int, [...])``)."""
    comp = _comprehension(node)
    numbers: list[int] = []
    if comp is not None:
        elt, variable, iterable = comp
        found = items(ctx, iterable, depth + 1)
        if found is None:
            return None
        for item in found:
            number = int_value(ctx, elt, {variable: item}, depth + 1)
            if number is None:
                return None
            numbers.append(number)
    else:
        mapped = _map_call(ctx, node)
        if mapped is not None and mapped[0] in ("ord", "int"):
            found = items(ctx, mapped[1], depth + 1)
            if found is None:
                return None
            for item in found:
                if mapped[0] == "ord" and isinstance(item, str) and len(item) == 1:
                    numbers.append(ord(item))
                elif mapped[0] == "int" and isinstance(item, int):
                    numbers.append(item)
                else:
                    return None
        else:
            if (type(node) is not cst.List and type(node) is not cst.Tuple and type(node) is not cst.Name):
                return None
            found = items(ctx, node, depth + 1)
            if found is None or not all(isinstance(i, int) for i in found):
                return None
            numbers = [i for i in found if isinstance(i, int)]
    if len(numbers) > MAX_FOLD or not all(0 <= n < 256 for n in numbers):
        return None
    return bytes(numbers)


# --------------------------------------------------------------------------
# Formatting: ``'%s' % x`` and ``'{}'.format(x)`` with plain fields only


def percent_format(template: str, args: list[str]) -> str | None:
    """``template % tuple(args)`` when every field is a plain ``%s`` (no width: a
    ``%999999999s`` would allocate gigabytes), else None."""
    out: list[str] = []
    index = 0
    position = 0
    while True:
        found = template.find("%", position)
        if found < 0:
            out.append(template[position:])
            break
        out.append(template[position:found])
        kind = template[found + 1:found + 2]
        if kind == "%":
            out.append("%")
        elif kind == "s" and index < len(args):
            out.append(args[index])
            index += 1
        else:
            return None
        position = found + 2
    if index != len(args):
        return None
    text = "".join(out)
    return text if len(text) <= MAX_FOLD else None


def brace_format(template: str, args: list[str], kwargs: dict[str, str]) -> str | None:
    """``template.format(*args, **kwargs)`` when every field is ``{}``, ``{0}`` or
    ``{name}`` without conversion or format spec, else None."""
    out: list[str] = []
    automatic = 0
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        return None
    for text, field, spec, conversion in parsed:
        out.append(text)
        if field is None:
            continue
        if spec or conversion:
            return None
        if field == "":
            if automatic >= len(args):
                return None
            out.append(args[automatic])
            automatic += 1
        elif field.isdigit():
            number = int(field)
            if number >= len(args):
                return None
            out.append(args[number])
        elif field in kwargs:
            out.append(kwargs[field])
        else:
            return None
    text = "".join(out)
    return text if len(text) <= MAX_FOLD else None


def _arguments(ctx: FileContext, call: cst.Call, depth: int) -> tuple[list[str], dict[str, str]] | None:
    args: list[str] = []
    kwargs: dict[str, str] = {}
    for arg in call.args:
        if arg.star:
            return None
        text = values.fold_string(ctx, arg.value, depth + 1)
        if text is None:
            number = int_value(ctx, arg.value, {}, depth + 1)
            text = None if number is None else str(number)
        if text is None:
            return None
        if arg.keyword is None:
            args.append(text)
        else:
            kwargs[arg.keyword.value] = text
    return args, kwargs


# --------------------------------------------------------------------------
# The extra forms, asked by ``values`` for what it does not know


def _encoding_argument(ctx: FileContext, call: cst.Call, position: int, depth: int) -> str | None:
    """The encoding a call names (by position or ``encoding=``), ``'utf-8'`` when absent,
    None when it is not static or other arguments are present."""
    for index, arg in enumerate(call.args):
        if arg.star:
            return None
        if (arg.keyword is not None and arg.keyword.value == "encoding") or (arg.keyword is None and index == position):
            return values.fold_string(ctx, arg.value, depth + 1)
        if arg.keyword is not None and arg.keyword.value == "errors":
            continue
        return None
    return "utf-8"


def more_string(ctx: FileContext, node: cst.BaseExpression, depth: int) -> str | None:
    """Forms of a static string that :func:`values.fold_string` leaves to this module."""
    if type(node) is cst.Name:
        held = module_value(ctx, node.value)
        return None if held is None else values.fold_string(ctx, held, depth + 1)
    if type(node) is cst.BinaryOperation and type(node.operator) is cst.Modulo:
        template = values.fold_string(ctx, node.left, depth + 1)
        if template is None:
            return None
        right = node.right
        parts: list[str] = []
        for element in right.elements if type(right) is cst.Tuple else [cst.Element(right)]:
            if type(element) is not cst.Element:
                return None
            text = values.fold_string(ctx, element.value, depth + 1)
            if text is None:
                return None
            parts.append(text)
        return percent_format(template, parts)
    if type(node) is not cst.Call:
        return None
    func = node.func
    name = values.resolve(ctx, func)
    if name in ("codecs.decode", "codecs.encode") and len(node.args) >= 1:
        encoding = values.fold_string(ctx, node.args[1].value, depth + 1) if len(node.args) >= 2 else "utf-8"
        if encoding is None:
            return None
        canonical = codec_name(encoding)
        if canonical == "rot_13":
            text = values.fold_string(ctx, node.args[0].value, depth + 1)
            return None if text is None or len(text) > MAX_FOLD else codecs.decode(text, "rot13")
        if name == "codecs.decode":
            data = values.fold_bytes(ctx, node.args[0].value, depth + 1)
            return None if data is None else decode_text(data, encoding)
        return None
    if type(func) is cst.Attribute:
        method = func.attr.value
        if method == "join" and len(node.args) == 1:
            separator = values.fold_string(ctx, func.value, depth + 1)
            pieces = string_items(ctx, node.args[0].value, depth + 1) if separator is not None else None
            if separator is None or pieces is None:
                return None
            if sum(map(len, pieces)) + len(separator) * len(pieces) > MAX_FOLD:
                return None
            return separator.join(pieces)
        if method == "format":
            template = values.fold_string(ctx, func.value, depth + 1)
            arguments = _arguments(ctx, node, depth) if template is not None else None
            return None if template is None or arguments is None else brace_format(template, *arguments)
        if method == "decode":
            encoding = _encoding_argument(ctx, node, 0, depth)
            data = values.fold_bytes(ctx, func.value, depth + 1) if encoding is not None else None
            return None if data is None or encoding is None else decode_text(data, encoding)
        if method in ("lower", "upper", "strip", "lstrip", "rstrip", "swapcase", "title", "capitalize") \
                and not node.args:
            value = values.fold_string(ctx, func.value, depth + 1)
            return None if value is None else str(getattr(value, method)())
        if method == "replace" and len(node.args) == 2:
            value = values.fold_string(ctx, func.value, depth + 1)
            old = values.fold_string(ctx, node.args[0].value, depth + 1)
            new = values.fold_string(ctx, node.args[1].value, depth + 1)
            if value is None or old is None or new is None or not old:
                return None
            if len(value) + value.count(old) * len(new) > MAX_FOLD:
                return None
            return value.replace(old, new)
    if _builtin(ctx, func, "str") and len(node.args) in (2, 3):
        encoding = values.fold_string(ctx, node.args[1].value, depth + 1)
        data = values.fold_bytes(ctx, node.args[0].value, depth + 1) if encoding is not None else None
        return None if data is None or encoding is None else decode_text(data, encoding)
    return None


def more_bytes(ctx: FileContext, node: cst.BaseExpression, depth: int) -> bytes | None:
    """Forms of static bytes that :func:`values.fold_bytes` leaves to this module."""
    if type(node) is cst.Name:
        held = module_value(ctx, node.value)
        return None if held is None else values.fold_bytes(ctx, held, depth + 1)
    if type(node) is cst.ConcatenatedString:
        left = values.fold_bytes(ctx, node.left, depth + 1)
        right = values.fold_bytes(ctx, node.right, depth + 1) if left is not None else None
        return None if left is None or right is None or len(left) + len(right) > MAX_FOLD else left + right
    if type(node) is cst.BinaryOperation and type(node.operator) is cst.Add:
        left = values.fold_bytes(ctx, node.left, depth + 1)
        right = values.fold_bytes(ctx, node.right, depth + 1) if left is not None else None
        return None if left is None or right is None or len(left) + len(right) > MAX_FOLD else left + right
    if type(node) is cst.Subscript and values.is_reversal(node):
        data = values.fold_bytes(ctx, node.value, depth + 1)
        return None if data is None else data[::-1]
    if type(node) is not cst.Call:
        return None
    func = node.func
    if _builtin(ctx, func, "bytes", "bytearray"):
        if len(node.args) == 1 and not node.args[0].keyword:
            return byte_items(ctx, node.args[0].value, depth + 1)
        if len(node.args) in (2, 3):  # bytes('text', 'cp1026')
            encoding = values.fold_string(ctx, node.args[1].value, depth + 1)
            text = values.fold_string(ctx, node.args[0].value, depth + 1) if encoding is not None else None
            return None if text is None or encoding is None else encode_text(text, encoding)
        return None
    name = values.resolve(ctx, func)
    if name in DECOMPRESSORS and node.args:
        data = values.fold_bytes(ctx, node.args[0].value, depth + 1)
        return None if data is None else decompress(DECOMPRESSORS[name], data)
    if name in ("codecs.decode", "codecs.encode") and len(node.args) >= 2:
        encoding = values.fold_string(ctx, node.args[1].value, depth + 1)
        canonical = codec_name(encoding) if encoding is not None else None
        if canonical is None:
            return None
        if name == "codecs.encode" and canonical not in _BYTE_CODECS:
            text = values.fold_string(ctx, node.args[0].value, depth + 1)
            return None if text is None else encode_text(text, canonical)
        if name == "codecs.decode" and canonical in _BYTE_CODECS:
            data = values.fold_bytes(ctx, node.args[0].value, depth + 1)
            if data is None:
                text = values.fold_string(ctx, node.args[0].value, depth + 1)
                data = text.encode("latin-1", errors="ignore") if text is not None else None
            return None if data is None else _byte_codec(canonical, data)
        return None
    if type(func) is cst.Attribute and func.attr.value == "encode":
        encoding = _encoding_argument(ctx, node, 0, depth)
        text = values.fold_string(ctx, func.value, depth + 1) if encoding is not None else None
        return None if text is None or encoding is None else encode_text(text, encoding)
    return None


def _byte_codec(canonical: str, data: bytes) -> bytes | None:
    if canonical == "hex_codec":
        try:
            return binascii.unhexlify(data)
        except (ValueError, binascii.Error):
            return None
    if canonical == "base64_codec":
        try:
            return binascii.a2b_base64(data)
        except (ValueError, binascii.Error):
            return None
    return decompress("zlib" if canonical == "zlib_codec" else "bz2", data)


__all__ = [
    "DECOMPRESSORS",
    "MAX_FOLD",
    "MAX_INT",
    "MAX_ITEMS",
    "brace_format",
    "byte_items",
    "codec_name",
    "decode_text",
    "decompress",
    "encode_text",
    "int_value",
    "items",
    "module_expressions",
    "module_value",
    "more_bytes",
    "more_string",
    "percent_format",
    "string_items",
]
