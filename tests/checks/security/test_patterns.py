"""The pure parts: folding disguised strings, static paths, secrets and entropy."""

from __future__ import annotations

import math
import random
import string

import libcst as cst
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from helpers import expression_context
from mbcheck.checks.security.classify import (
    StaticPath,
    classify_path,
    find_secret,
    is_secret_file,
    is_secret_name,
    looks_random,
    parse_path,
    shannon_entropy,
)
from mbcheck.checks.security.paths import static_path
from mbcheck.checks.security.values import fold_string, resolve
from mbcheck.pyfile.traverse import FileContext

TEXT = st.text(alphabet=string.ascii_letters + string.digits + "._-/ ", max_size=30)


def context(source: str) -> tuple[FileContext, cst.BaseExpression]:
    """The last statement's expression of ``source``, with names bound as the traversal would."""
    ctx, expr = expression_context(source)
    return ctx, expr


def fold(source: str) -> str | None:
    ctx, expr = context(source)
    return fold_string(ctx, expr)


# --------------------------------------------------------------------------
# folding


@given(TEXT, st.integers(min_value=0, max_value=30))
def test_concatenations_fold_to_the_string(text: str, cut: int) -> None:
    cut = min(cut, len(text))
    assert fold(f"{text[:cut]!r} + {text[cut:]!r}\n") == text
    assert fold(f"''.join([{text[:cut]!r}, {text[cut:]!r}])\n") == text
    assert fold(f"{text[::-1]!r}[::-1]\n") == text


@given(st.text(alphabet=string.ascii_letters + string.digits, min_size=1, max_size=20))
def test_character_codes_and_rot13_fold(text: str) -> None:
    codes = [ord(c) for c in text]
    assert fold(f"''.join(chr(c) for c in {codes})\n") == text
    assert fold(f"''.join(map(chr, {codes}))\n") == text
    rot = text.translate(str.maketrans(string.ascii_letters, string.ascii_letters[13:26] + string.ascii_letters[:13]
                                       + string.ascii_letters[39:] + string.ascii_letters[26:39]))
    assert fold(f"import codecs\ncodecs.decode({rot!r}, 'rot13')\n") == text


@given(st.binary(max_size=40))
def test_literal_base64_and_hex_fold_as_data(data: bytes) -> None:
    import base64

    text = data.decode("latin-1")
    encoded = base64.b64encode(data).decode()
    folded = fold(f"import base64\nbase64.b64decode({encoded!r}).decode()\n")
    try:
        expected = data.decode("utf-8")
    except UnicodeDecodeError:
        expected = text
    assert folded == expected
    assert fold(f"bytes.fromhex({data.hex()!r}).decode('latin-1')\n") == text  # the codec named is the one used


def test_names_and_calls_do_not_fold() -> None:
    assert fold("def f(x):\n    pass\nx + 'a'\n") is None
    assert fold("input()\n") is None
    assert fold("NAME = 'os'\nNAME\n") == "os"
    assert fold("NAME = 'os'\nNAME = 'sys'\nNAME\n") is None  # assigned twice: not a constant


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("__import__('o' + 's').system\n", "os.system"),
        ("import builtins\ngetattr(builtins, 'ev' + 'al')\n", "builtins.eval"),
        ("__builtins__['exec']\n", "builtins.exec"),
        ("import sys\nsys.modules['subprocess'].run\n", "subprocess.run"),
        ("import importlib\nimportlib.import_module('so'[::-1]).getenv\n", "os.getenv"),
        ("x = None\nx.attr\n", None),
        ("def f(__builtins__):\n    pass\n__builtins__['exec']\n", "builtins.exec"),
    ],
)
def test_resolve_sees_through_obfuscated_spellings(source: str, expected: str | None) -> None:
    ctx, expr = context(source)
    assert resolve(ctx, expr) == expected


# --------------------------------------------------------------------------
# static paths


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import os\nos.path.expanduser('~/.bashrc')\n", "~/.bashrc"),
        ("'~/.bashrc'\n", None),  # not expanded: a relative directory called "~"
        ("from pathlib import Path\nPath.home() / '.ssh' / 'authorized_keys'\n", "~/.ssh/authorized_keys"),
        ("import os\nos.path.join(os.path.expanduser('~'), '.aws', 'credentials')\n", "~/.aws/credentials"),
        ("import os\nos.environ['HOME'] + '/.profile'\n", "~/.profile"),
        ("from pathlib import Path\nPath('~/.zshrc').expanduser()\n", "~/.zshrc"),
        ("'/etc/../usr/bin/x'\n", "/usr/bin/x"),
        ("from pathlib import Path\nPath('relative') / 'x'\n", None),
        ("import os\nf\"{os.path.expanduser('~')}/.netrc\"\n", "~/.netrc"),
    ],
)
def test_static_paths(source: str, expected: str | None) -> None:
    ctx, expr = context(source)
    found = static_path(ctx, expr)
    assert (found.display() if found else None) == expected


@given(st.lists(st.sampled_from(["a", "b", ".c", "..", ".", "d/e"]), max_size=6))
def test_joined_paths_stay_normalised_and_inside_their_kind(parts: list[str]) -> None:
    home = StaticPath(True, "").join(*parts)
    assert home.home and not home.path.startswith("/") and "/./" not in f"/{home.path}/"
    assert home.join() == home
    absolute = StaticPath(False, "/srv").join(*parts)
    assert absolute.path.startswith("/")


@given(TEXT)
def test_system_prefixes_cover_everything_below_them(rest: str) -> None:
    assume(".." not in rest.split("/"))  # `/etc/..` is not below /etc
    path = parse_path("/etc/" + rest.strip("/"))
    assert path is not None
    found = classify_path(path)
    assert found is not None and found.kind == "system"
    assert classify_path(StaticPath(False, "/etcetera/x")) is None


def test_home_files() -> None:
    assert classify_path(StaticPath(True, ".bashrc")).kind == "shell-startup"  # type: ignore[union-attr]
    assert classify_path(StaticPath(True, ".ssh/authorized_keys")).kind == "credentials"  # type: ignore[union-attr]
    assert classify_path(StaticPath(True, ".cache/plugin/x")) is None
    assert is_secret_file(StaticPath(True, ".ssh/id_ed25519"))
    assert not is_secret_file(StaticPath(True, ".ssh/known_hosts"))
    assert not is_secret_file(StaticPath(True, ".ssh/id_rsa.pub"))
    assert not is_secret_file(StaticPath(True, ".gitconfig"))
    assert not is_secret_file(StaticPath(True, ".bashrc"))


# --------------------------------------------------------------------------
# secrets


@given(st.text(max_size=60))
def test_entropy_is_bounded(text: str) -> None:
    entropy = shannon_entropy(text)
    assert entropy >= 0
    if text:
        assert entropy <= math.log2(len(set(text))) + 1e-9


@given(st.integers(min_value=0, max_value=2**32))
@settings(max_examples=50)
def test_random_tokens_of_known_formats_are_found(seed: int) -> None:
    rng = random.Random(seed)
    alphabet = string.ascii_letters + string.digits
    token = "ghp_" + "".join(rng.choice(alphabet) for _ in range(36))
    found = find_secret(f"token = {token}")
    assert found is not None and found.pattern == "github-token"
    key_id = "AKIA" + "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(16))
    assert find_secret(key_id) is not None


@pytest.mark.parametrize(
    "value",
    ["ghp_" + "x" * 36, "AKIAIOSFODNN7EXAMPLE", "sk_live_" + "0" * 24, "-----BEGIN RSA PRIVATE KEY-----",
     "see https://docs.example.com/tokens", ""],
)
def test_placeholders_and_documentation_are_not_secrets(value: str) -> None:
    assert find_secret(value) is None


@given(st.text(alphabet=string.ascii_lowercase + "_", max_size=40))
def test_one_character_class_never_looks_random(value: str) -> None:
    assert not looks_random(value)


@given(st.text(alphabet=string.ascii_letters + string.digits, min_size=12, max_size=40).filter(
    lambda s: any(c.isspace() for c in s) is False))
def test_whitespace_makes_a_value_not_a_token(value: str) -> None:
    assert not looks_random(value[:6] + " " + value[6:])


@pytest.mark.parametrize(
    ("name", "secret"),
    [("password", True), ("DB_PASSWORD", True), ("api_key", True), ("apiKey", True), ("token", True),
     ("client_secret", True), ("password_field", False), ("TOKEN_ENV", False), ("token_url", False),
     ("secretary", False), ("tokenizer", False)],
)
def test_secret_names(name: str, secret: bool) -> None:
    assert is_secret_name(name) is secret
