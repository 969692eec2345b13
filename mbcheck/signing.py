"""Signed reports: a JSON report that travels carries an Ed25519 signature by a key the host trusts.

A report's ``digest`` binds it to the plugin's bytes, but anyone can compute a digest: a
hand-written report (verdict ``pass``, no findings) with the right digest says whatever its
author wants. A host that receives reports from elsewhere (a CI, a marketplace) accepts only
reports signed by a key it trusts.

The format (``schemas/report.schema.json``, ``signature``): the report gets one top-level
member ::

    "signature": {
      "algorithm": "ed25519",
      "key_id": "<hex sha256 of the raw 32-byte Ed25519 public key>",
      "value": "<standard base64 of the 64-byte Ed25519 signature>"
    }

The signed message is the RFC 8785 (JSON Canonicalization Scheme) serialisation of the report
*without* its ``signature`` member: every other member, at every depth, is covered, and the
signature does not depend on whitespace, key order or how the JSON was written (so it holds for
a report handed over as a parsed ``dict`` as well as for the file). Canonicalisation is done by
the ``rfc8785`` package.

Keys: the private key is a PEM PKCS#8 file (unencrypted, mode 0600); the public key is a PEM
SubjectPublicKeyInfo file (``mbcheck keygen`` writes both: ``KEY`` and ``KEY.pub``).

``cryptography`` is imported only inside the functions that need it, so ``mbcheck --version``,
a plain lint and a verify without keys never load it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias, Union

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

#: the only signature algorithm mbcheck writes or accepts
ALGORITHM = "ed25519"
#: the report's top-level member holding the signature (excluded from what is signed)
SIGNATURE_MEMBER = "signature"
#: where ``mbcheck keygen`` writes the private key by default (the public key: ``+ PUBLIC_SUFFIX``)
DEFAULT_KEY_FILE = "mbcheck-signing.key"
PUBLIC_SUFFIX = ".pub"
_PEM = b"-----BEGIN "

#: a key a host trusts: a public key file's path, its PEM bytes, or the key itself
TrustedKey: TypeAlias = Union["Ed25519PublicKey", bytes, str, "os.PathLike[str]"]
#: a signing key: a private key file's path, its PEM bytes, or the key itself
PrivateKey: TypeAlias = Union["Ed25519PrivateKey", bytes, str, "os.PathLike[str]"]


class SigningError(ValueError):
    """Signing or verifying a report failed (base class of the errors below)."""


class KeyFileError(SigningError):
    """A key that cannot be read, is not an Ed25519 key, or would overwrite a file."""


class SignatureError(SigningError):
    """A report whose signature is missing, by an untrusted key, or does not match its content."""


@dataclass(frozen=True)
class KeyPair:
    """What :func:`generate_key` wrote."""

    private_path: Path
    public_path: Path
    key_id: str


def key_id(public_key: Ed25519PublicKey) -> str:
    """The key id: hex sha256 of the raw 32-byte public key (as in a signature's ``key_id``)."""
    from cryptography.hazmat.primitives import serialization

    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def public_key_pem(public_key: Ed25519PublicKey) -> bytes:
    """The public key as PEM SubjectPublicKeyInfo (the format of ``KEY.pub``)."""
    from cryptography.hazmat.primitives import serialization

    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def public_key_path(private_path: str | os.PathLike[str]) -> Path:
    """Where ``mbcheck keygen`` writes the public key of ``private_path``."""
    path = Path(private_path)
    return path.with_name(path.name + PUBLIC_SUFFIX)


# --------------------------------------------------------------------------- keys


def generate_key(path: str | os.PathLike[str] = DEFAULT_KEY_FILE, *, force: bool = False) -> KeyPair:
    """Write a new Ed25519 key pair: ``path`` (private, PEM PKCS#8, mode 0600) and ``path.pub``.

    Neither file is overwritten unless ``force``; the private key file is created
    exclusively (never through an existing file or link). Raises :class:`KeyFileError`.
    """
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    private_path = Path(path)
    public_path = public_key_path(private_path)
    for target in (private_path, public_path):
        if target.is_dir():
            raise KeyFileError(f"{target}: is a directory; give a file name for the key")
        if (target.exists() or target.is_symlink()) and not force:
            raise KeyFileError(f"{target}: already exists; not overwritten (pass --force to replace it)")
    key = Ed25519PrivateKey.generate()
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public_key = key.public_key()
    _write_new(private_path, private_pem, 0o600, replace=force)
    try:
        _write_new(public_path, public_key_pem(public_key), 0o644, replace=force)
    except KeyFileError:
        private_path.unlink(missing_ok=True)
        raise
    return KeyPair(private_path, public_path, key_id(public_key))


def _write_new(path: Path, data: bytes, mode: int, *, replace: bool) -> None:
    """Create ``path`` exclusively with ``mode``; with ``replace``, an existing file (or link)
    is removed first, so nothing is ever written through it."""
    try:
        if replace and (path.exists() or path.is_symlink()):
            path.unlink()
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), mode)
    except FileExistsError:
        raise KeyFileError(f"{path}: already exists; not overwritten (pass --force to replace it)") from None
    except OSError as exc:
        raise KeyFileError(f"{path}: cannot create the key file: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            if hasattr(os, "fchmod"):
                os.fchmod(handle.fileno(), mode)  # exactly ``mode``, whatever the umask
            handle.write(data)
    except OSError as exc:
        path.unlink(missing_ok=True)
        raise KeyFileError(f"{path}: cannot write the key file: {exc.strerror or exc}") from None


def _read_key(source: str | os.PathLike[str], kind: str) -> bytes:
    path = Path(source)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise KeyFileError(f"{path}: {kind} key file not found") from None
    except IsADirectoryError:
        raise KeyFileError(f"{path}: is a directory, not a {kind} key file") from None
    except OSError as exc:
        raise KeyFileError(f"{path}: cannot read the {kind} key: {exc.strerror or exc}") from None


def load_private_key(source: PrivateKey) -> Ed25519PrivateKey:
    """An Ed25519 private key from a PEM PKCS#8 file's path, its bytes, or the key itself.

    Raises :class:`KeyFileError` when it cannot be read, is encrypted, or is not an
    Ed25519 private key.
    """
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    if isinstance(source, Ed25519PrivateKey):
        return source
    name = "<private key bytes>" if isinstance(source, bytes) else str(source)
    data = source if isinstance(source, bytes) else _read_key(source, "private")
    hint = "; write one with `mbcheck keygen`"
    if b"PUBLIC KEY-----" in data:
        raise KeyFileError(f"{name}: this is a public key; sign with the private key (the file without `.pub`)")
    if _PEM not in data:
        raise KeyFileError(f"{name}: not a PEM private key{hint}")
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except TypeError:
        raise KeyFileError(f"{name}: the private key is encrypted; mbcheck reads unencrypted PKCS#8 keys{hint}") from None
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise KeyFileError(f"{name}: not a usable PEM private key ({exc}){hint}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"{name}: not an Ed25519 private key (it is {_kind(key)}){hint}")
    return key


def load_public_key(source: TrustedKey) -> Ed25519PublicKey:
    """An Ed25519 public key from a PEM SubjectPublicKeyInfo file's path, its bytes, or the key.

    Raises :class:`KeyFileError` when it cannot be read or is not an Ed25519 public key
    (a private key given by mistake included).
    """
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    if isinstance(source, Ed25519PublicKey):
        return source
    name = "<public key bytes>" if isinstance(source, bytes) else str(source)
    data = source if isinstance(source, bytes) else _read_key(source, "public")
    hint = "; it is the `.pub` file `mbcheck keygen` writes"
    if b"PRIVATE KEY-----" in data:
        raise KeyFileError(f"{name}: this is a private key; trust the public key (the `.pub` file) instead")
    if _PEM not in data:
        raise KeyFileError(f"{name}: not a PEM public key{hint}")
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise KeyFileError(f"{name}: not a usable PEM public key ({exc}){hint}") from None
    if not isinstance(key, Ed25519PublicKey):
        raise KeyFileError(f"{name}: not an Ed25519 public key (it is {_kind(key)}){hint}")
    return key


def _kind(key: Any) -> str:
    name = type(key).__name__.removeprefix("_")
    for suffix in ("PrivateKey", "PublicKey"):
        name = name.removesuffix(suffix)
    return f"an {name} key" if name[:1] in "AEIOU" else f"a {name} key"


# --------------------------------------------------------------------------- reports


def signed_content(report: Mapping[str, Any]) -> bytes:
    """The bytes a signature covers: RFC 8785 canonical JSON of ``report`` without ``signature``.

    Raises :class:`SigningError` for a value canonical JSON cannot represent (an integer
    beyond ±2**53, a non-finite float, a non-JSON type).
    """
    import rfc8785

    content = {key: value for key, value in report.items() if key != SIGNATURE_MEMBER}
    try:
        return rfc8785.dumps(content)
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise SigningError(f"the report cannot be written as RFC 8785 canonical JSON: {exc}") from None


def sign_report(report: Mapping[str, Any], private_key: PrivateKey) -> dict[str, Any]:
    """A copy of the JSON ``report`` with a ``signature`` member (any previous one replaced).

    ``report`` is JSON data (``mbcheck.api.report_json(...)`` or a parsed report file).
    Raises :class:`KeyFileError` for a key that cannot be used, :class:`SigningError` for
    data that is not plain JSON.
    """
    key = load_private_key(private_key)
    signature = key.sign(signed_content(report))
    out = {name: value for name, value in report.items() if name != SIGNATURE_MEMBER}
    out[SIGNATURE_MEMBER] = {
        "algorithm": ALGORITHM,
        "key_id": key_id(key.public_key()),
        "value": base64.b64encode(signature).decode("ascii"),
    }
    return out


def load_trusted_keys(keys: Iterable[TrustedKey]) -> dict[str, Ed25519PublicKey]:
    """The trusted public keys by key id; raises :class:`KeyFileError` for one that cannot be used."""
    loaded = (load_public_key(key) for key in keys)
    return {key_id(key): key for key in loaded}


def verify_signature(report: Mapping[str, Any], trusted_keys: Iterable[TrustedKey]) -> str:
    """The key id of the trusted key that signed ``report``; raises :class:`SignatureError`.

    The report must carry a ``signature`` by one of ``trusted_keys`` over exactly its
    current content (see the module's docstring). The error's message says why not, for a
    person to read: unsigned, signed by another key, or changed after signing.
    """
    from cryptography.exceptions import InvalidSignature

    keys = load_trusted_keys(trusted_keys)
    if not keys:
        raise SignatureError("no trusted key is configured")
    signature = report.get(SIGNATURE_MEMBER)
    if signature is None:
        raise SignatureError("the report is not signed (sign it with `mbcheck lint --format json --sign KEY`)")
    if not isinstance(signature, Mapping):
        raise SignatureError("its `signature` is not an object")
    algorithm = signature.get("algorithm")
    if algorithm != ALGORITHM:
        raise SignatureError(f"its signature algorithm is {algorithm!r}; mbcheck accepts only {ALGORITHM!r}")
    signer = signature.get("key_id")
    if not isinstance(signer, str) or signer not in keys:
        trusted = ", ".join(sorted(keys))
        raise SignatureError(f"it is signed by key {signer}, which is not a trusted key (trusted: {trusted})")
    value = signature.get("value")
    try:
        raw = base64.b64decode(value if isinstance(value, str) else "", validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 64:
        raise SignatureError(f"its signature value is not a base64 Ed25519 signature (64 bytes) of key {signer}")
    try:
        content = signed_content(report)
    except SigningError as exc:
        raise SignatureError(str(exc)) from None
    try:
        keys[signer].verify(raw, content)
    except InvalidSignature:
        raise SignatureError(
            f"the signature of key {signer} does not match the report's content: "
            "the report was changed after it was signed, or the signature is forged"
        ) from None
    return signer


__all__ = [
    "ALGORITHM",
    "DEFAULT_KEY_FILE",
    "SIGNATURE_MEMBER",
    "KeyFileError",
    "KeyPair",
    "PrivateKey",
    "SignatureError",
    "SigningError",
    "TrustedKey",
    "generate_key",
    "key_id",
    "load_private_key",
    "load_public_key",
    "load_trusted_keys",
    "public_key_path",
    "public_key_pem",
    "sign_report",
    "signed_content",
    "verify_signature",
]
