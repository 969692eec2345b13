"""The security data table: valid, consistent with its vocabulary and with the stdlib."""

from __future__ import annotations

import importlib
import inspect
import os
import re
import warnings
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest

from mbcheck.resources import load_json

TABLE = "rules/security/permissions.json"
SCHEMA = "schemas/rules-security-permissions.schema.json"

#: the permission vocabulary of the MilkBottle plugin contract
VOCABULARY = {"network", "subprocess", "fs-write", "dynamic-code", "native-code", "env", "desktop"}


@pytest.fixture(scope="module")
def table() -> dict[str, Any]:
    data = load_json(TABLE)
    assert isinstance(data, dict)
    return data


def permissions_used(table: dict[str, Any]) -> list[str]:
    found = list(table["modules"].values()) + list(table["calls"].values())
    found += [entry["permission"] for entry in table["path_methods"].values()]
    found += [entry["permission"] for entry in table["write_methods"].values()]
    return found


def test_schema_is_valid_and_table_conforms(table: dict[str, Any]) -> None:
    schema = load_json(SCHEMA)
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(table)
    assert table["source"].strip()


def test_schema_rejects_unknown_permissions_and_unqualified_names(table: dict[str, Any]) -> None:
    validator = jsonschema.Draft202012Validator(load_json(SCHEMA))
    bad_permission = {**table, "calls": {**table["calls"], "os.system": "shell"}}
    assert not validator.is_valid(bad_permission)
    bad_name = {**table, "modules": {**table["modules"], "os system": "subprocess"}}
    assert not validator.is_valid(bad_name)


def test_every_permission_is_in_the_vocabulary_and_each_is_used(table: dict[str, Any]) -> None:
    used = permissions_used(table)
    assert set(used) <= VOCABULARY
    assert set(used) == VOCABULARY


@pytest.mark.parametrize(
    ("name", "permission"),
    [
        ("subprocess", "subprocess"),
        ("_socket", "network"),
        ("ssl", "network"),
        ("http.client", "network"),
        ("urllib.request", "network"),
        ("xmlrpc.client", "network"),
        ("requests", "network"),
        ("httpx", "network"),
        ("aiohttp", "network"),
        ("urllib3", "network"),
        ("websockets", "network"),
        ("websocket", "network"),
        ("paramiko", "network"),
        ("grpc", "network"),
        ("pycurl", "network"),
        ("ftplib", "network"),
        ("smtplib", "network"),
        ("poplib", "network"),
        ("imaplib", "network"),
        ("telnetlib", "network"),
        ("ctypes", "native-code"),
        ("_ctypes", "native-code"),
        ("cffi", "native-code"),
    ],
)
def test_modules_spot_checks(table: dict[str, Any], name: str, permission: str) -> None:
    assert table["modules"][name] == permission


def test_urllib_itself_is_not_network(table: dict[str, Any]) -> None:
    assert "urllib" not in table["modules"]
    assert "urllib.parse" not in table["modules"]
    assert "http" not in table["modules"]


@pytest.mark.parametrize(
    ("name", "permission"),
    [
        ("os.system", "subprocess"),
        ("os.popen", "subprocess"),
        ("os.execv", "subprocess"),
        ("os.spawnvpe", "subprocess"),
        ("os.fork", "subprocess"),
        ("os.forkpty", "subprocess"),
        ("os.posix_spawnp", "subprocess"),
        ("pty.spawn", "subprocess"),
        ("asyncio.create_subprocess_exec", "subprocess"),
        ("asyncio.create_subprocess_shell", "subprocess"),
        ("os.remove", "fs-write"),
        ("os.makedirs", "fs-write"),
        ("os.utime", "fs-write"),
        ("shutil.rmtree", "fs-write"),
        ("shutil.copytree", "fs-write"),
        ("shutil.unpack_archive", "fs-write"),
        ("pathlib.Path.write_text", "fs-write"),
        ("pathlib.Path.hardlink_to", "fs-write"),
        ("tempfile.mkstemp", "fs-write"),
        ("builtins.eval", "dynamic-code"),
        ("builtins.exec", "dynamic-code"),
        ("builtins.compile", "dynamic-code"),
        ("builtins.__import__", "dynamic-code"),
        ("importlib.import_module", "dynamic-code"),
        ("pickle.loads", "dynamic-code"),
        ("marshal.load", "dynamic-code"),
        ("shelve.open", "dynamic-code"),
        ("dill.loads", "dynamic-code"),
        ("yaml.unsafe_load", "dynamic-code"),
        ("yaml.full_load", "dynamic-code"),
        ("runpy.run_path", "dynamic-code"),
        ("code.interact", "dynamic-code"),
        ("types.FunctionType", "dynamic-code"),
        ("ctypes.CDLL", "native-code"),
        ("ctypes.cdll.LoadLibrary", "native-code"),
        ("os.environ", "env"),
        ("os.environb", "env"),
        ("os.getenv", "env"),
        ("os.getenvb", "env"),
        ("os.putenv", "env"),
        ("os.unsetenv", "env"),
    ],
)
def test_calls_spot_checks(table: dict[str, Any], name: str, permission: str) -> None:
    assert table["calls"][name] == permission


def test_every_process_starting_function_of_os_is_listed(table: dict[str, Any]) -> None:
    starters = [
        name
        for name in dir(os)
        if name.startswith(("exec", "spawn", "posix_spawn", "fork")) or name in {"system", "popen"}
    ]
    assert starters
    for name in starters:
        assert table["calls"].get(f"os.{name}") == "subprocess", name


def test_every_path_method_is_a_real_pathlib_method(table: dict[str, Any]) -> None:
    import pathlib

    for method, entry in table["path_methods"].items():
        assert callable(getattr(pathlib.Path, method, None)), method
        assert table["calls"].get(f"pathlib.Path.{method}") == entry["permission"]
    assert table["path_methods"]["write_text"]["unambiguous"] is True
    assert table["path_methods"]["replace"]["unambiguous"] is False  # str.replace


def test_conditions_refer_to_listed_calls(table: dict[str, Any]) -> None:
    for name, condition in table["conditions"].items():
        assert name in table["calls"], name
        assert condition["description"].strip()
    yaml_load = table["conditions"]["yaml.load"]
    assert yaml_load["kind"] == "argument-not-in"
    assert "yaml.SafeLoader" in yaml_load["safe_values"]
    assert "yaml.Loader" not in yaml_load["safe_values"]
    assert "yaml.FullLoader" not in yaml_load["safe_values"]
    assert table["conditions"]["importlib.import_module"]["kind"] == "argument-not-literal"


def test_open_write_modes(table: dict[str, Any]) -> None:
    assert set(table["open_write_modes"]) == {"w", "a", "x", "+"}
    writes = set(table["open_write_modes"])
    assert all(not writes & set(mode) for mode in ("r", "rb", "rt"))
    assert all(writes & set(mode) for mode in ("w", "ab", "r+", "xb", "w:gz"))


def _resolve(qualname: str) -> Any:
    """The stdlib object for a qualified name, or None when absent on this Python."""
    parts = qualname.split(".")
    for split in range(len(parts) - 1, 0, -1):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                obj: Any = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        try:
            for attr in parts[split:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return None
        return obj
    return None


def _positional(obj: Any, skip_self: bool) -> list[str]:
    params = [
        p.name
        for p in inspect.signature(obj).parameters.values()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    return params[1:] if skip_self else params


STDLIB_MODE_CALLS = [
    "builtins.open",
    "io.open",
    "codecs.open",
    "gzip.open",
    "bz2.open",
    "lzma.open",
    "tarfile.open",
    "zipfile.ZipFile",
    "dbm.open",
    "os.open",
    "pathlib.Path.open",
]


@pytest.mark.parametrize("name", STDLIB_MODE_CALLS)
def test_write_method_argument_positions_match_the_stdlib(table: dict[str, Any], name: str) -> None:
    entry = table["write_methods"][name]
    positional = _positional(_resolve(name), skip_self=name.startswith("pathlib.Path."))
    if "mode_position" in entry:
        assert positional[entry["mode_position"]] == entry["mode_keyword"]
    else:
        assert positional[entry["flags_position"]] == entry["flags_keyword"]
        for flag in entry["write_flags"]:
            assert isinstance(_resolve(flag), int), flag


def test_timeout_positions_match_the_stdlib(table: dict[str, Any]) -> None:
    checked = 0
    for name, entry in table["dangerous"]["timeout_calls"].items():
        if entry["position"] is None:
            continue
        obj = _resolve(name)
        if obj is None:  # removed from this Python (telnetlib in 3.13)
            continue
        positional = _positional(obj, skip_self=False)
        if entry["position"] < len(positional):
            assert positional[entry["position"]] == entry["keyword"], name
        else:  # became keyword-only in a newer Python: the keyword must exist
            assert entry["keyword"] in inspect.signature(obj).parameters, name
        checked += 1
    assert checked >= 8


def test_shell_calls(table: dict[str, Any]) -> None:
    shell = table["dangerous"]["shell_calls"]
    for name in (
        "subprocess.Popen",
        "subprocess.run",
        "subprocess.call",
        "subprocess.check_output",
    ):
        assert shell[name] == {"shell": "keyword"}
    assert "shell" in inspect.signature(_resolve("subprocess.Popen")).parameters
    for name in (
        "os.system",
        "os.popen",
        "subprocess.getoutput",
        "asyncio.create_subprocess_shell",
    ):
        assert shell[name] == {"shell": "always"}
    for name in shell:
        assert callable(_resolve(name)), name


def test_decoders_cover_every_public_base64_decoder(table: dict[str, Any]) -> None:
    import base64
    import binascii

    decoders = table["dangerous"]["decoders"]
    for name in dir(base64):
        if name.endswith("decode") and not name.startswith("_") and name != "decode":
            assert f"base64.{name}" in decoders, name
    for name in dir(binascii):
        if name.startswith("a2b_") or name == "unhexlify":
            assert f"binascii.{name}" in decoders, name
    for name in ("builtins.bytes.fromhex", "codecs.decode", "zlib.decompress", "marshal.loads"):
        assert name in decoders
    for name in decoders:
        if not name.startswith(("builtins.",)):
            assert callable(_resolve(name)), name


def test_tls_patterns(table: dict[str, Any]) -> None:
    patterns = table["dangerous"]["tls_verify_disabling"]
    assert {"kind": "keyword", "keyword": "verify", "value": False} in [
        {k: p[k] for k in ("kind", "keyword", "value")} for p in patterns if p["kind"] == "keyword"
    ]
    names = {p["name"] for p in patterns if p["kind"] in ("call", "name")}
    assert {"ssl._create_unverified_context", "ssl.CERT_NONE"} <= names
    for name in names:
        assert _resolve(name) is not None, name
    assert any(p.get("attribute") == "check_hostname" for p in patterns)


def test_sensitive_paths(table: dict[str, Any]) -> None:
    paths = table["dangerous"]["sensitive_paths"]
    for prefix in paths["system_prefixes"]:
        assert prefix.startswith("/") or re.match(r"^[A-Za-z]:\\", prefix), prefix
        assert not prefix.endswith(("/", "\\"))
    assert {"/etc", "/usr", "/bin", "/sbin", "/boot", "/lib", "/var/lib", "/System"} <= set(
        paths["system_prefixes"]
    )
    assert "C:\\Windows" in paths["system_prefixes"]
    home = set(paths["home_files"])
    for name in (
        ".bashrc",
        ".zshrc",
        ".ssh/",
        ".aws/credentials",
        ".netrc",
        ".pypirc",
        ".gnupg/",
        ".docker/config.json",
        ".kube/config",
        ".git-credentials",
        ".config/fish/config.fish",
        ".profile",
        ".bash_profile",
        ".zprofile",
    ):
        assert name in home, name


# --- secrets -----------------------------------------------------------------------
# Sample tokens are assembled here, never stored whole, so that no secret scanner
# mistakes this repository for a leak.

A = "A"
ALNUM = "aB3dE6gH9jK2mN5pQ8sT1vW4yZ7"

POSITIVE: dict[str, list[str]] = {
    "aws-access-key-id": ["AKIA" + "IOSFODNN7EXAMPLE", "ASIA" + "Z" * 16],
    "github-token": [f"gh{c}_" + (ALNUM * 2)[:36] for c in "pousr"],
    "github-fine-grained-token": ["github_pat_" + "11ABCDEFG0" * 3 + "_" + ALNUM * 2],
    "gitlab-token": ["glpat-" + ALNUM[:20]],
    "slack-token": [f"xox{c}-" + "1234567890-abcdefghij" for c in "baprs"],
    "slack-webhook": ["https://hooks.slack.com/services/" + "T0000/B0000/" + ALNUM],
    "stripe-live-key": ["sk_live_" + ALNUM[:24], "rk_live_" + ALNUM[:24]],
    "google-api-key": ["AIza" + (ALNUM + "-_" + ALNUM)[:35]],
    "sk-secret-key": ["sk-" + (ALNUM * 2)[:48], "sk-proj-" + (ALNUM * 6)[:120]],
    "private-key": [
        "-----BEGIN " + "PRIVATE KEY-----",
        "-----BEGIN RSA " + "PRIVATE KEY-----",
        "-----BEGIN OPENSSH " + "PRIVATE KEY-----",
        "-----BEGIN EC " + "PRIVATE KEY-----",
        "-----BEGIN PGP " + "PRIVATE KEY BLOCK-----",
    ],
    "jwt": ["eyJ" + "hbGciOiJIUzI1NiJ9" + ".eyJ" + "zdWIiOiIxMjM0In0" + "." + ALNUM],
    "pypi-token": ["pypi-AgE" + "IcHlwaS5vcmc" + (ALNUM * 3)[:60]],
    "npm-token": ["npm_" + (ALNUM * 2)[:36]],
    "huggingface-token": ["hf_" + "abcdefghijklmnopqrstuvwxyzABCDEFGH"],
    "sendgrid-key": ["SG." + ALNUM[:22] + "." + (ALNUM * 2)[:43]],
    "telegram-bot-token": ["123456789:AA" + (ALNUM * 2)[:33]],
}

NEGATIVE: dict[str, list[str]] = {
    "aws-access-key-id": ["AKIA" + "SHORT", "XAKIA" + "Z" * 16 + "Q"],
    "github-token": ["ghp_" + "short", "ghx_" + (ALNUM * 2)[:36]],
    "stripe-live-key": ["sk_test_" + ALNUM[:24]],
    "google-api-key": ["AIza" + "tooShort"],
    "sk-secret-key": ["sk-" + "short", "task-" + (ALNUM * 2)[:48]],
    "private-key": ["-----BEGIN PUBLIC KEY-----", "-----BEGIN CERTIFICATE-----"],
    "jwt": ["eyJhbGciOiJ.not.a.jwt"],
    "pypi-token": ["pypi-" + "short"],
}


@pytest.fixture(scope="module")
def secrets(table: dict[str, Any]) -> dict[str, dict[str, Any]]:
    entries = table["dangerous"]["secrets"]
    by_id = {entry["id"]: entry for entry in entries}
    assert len(by_id) == len(entries), "duplicate secret ids"
    return by_id


def test_every_regex_compiles(table: dict[str, Any]) -> None:
    for entry in table["dangerous"]["secrets"]:
        re.compile(entry["regex"])


def test_every_secret_format_has_examples(secrets: dict[str, dict[str, Any]]) -> None:
    assert set(POSITIVE) == set(secrets)


@pytest.mark.parametrize("secret_id", sorted(POSITIVE))
def test_secret_regex_finds_examples_and_keywords_prefilter(
    secrets: dict[str, dict[str, Any]], secret_id: str
) -> None:
    entry = secrets[secret_id]
    pattern = re.compile(entry["regex"])
    for sample in POSITIVE[secret_id]:
        embedded = f'TOKEN = "{sample}"  # set by deploy'
        match = pattern.search(embedded)
        assert match is not None, sample
        assert match.group(0) == sample
        assert any(keyword in match.group(0) for keyword in entry["keywords"]), sample
    for sample in NEGATIVE.get(secret_id, []):
        assert pattern.search(f'x = "{sample}"') is None, sample


def test_brief_formats_are_covered(secrets: dict[str, dict[str, Any]]) -> None:
    keywords = {k for entry in secrets.values() for k in entry["keywords"]}
    for needed in (
        "AKIA",
        "ghp_",
        "gho_",
        "ghu_",
        "ghs_",
        "ghr_",
        "github_pat_",
        "sk_live_",
        "AIza",
        "sk-",
        "PRIVATE KEY",
        "eyJ",
        "pypi-AgE",
    ):
        assert needed in keywords, needed
    assert any(k.startswith("xox") for k in keywords)


def test_socket_shows_network_by_its_calls_not_by_its_import(tmp_path: Path) -> None:
    """`socket.gethostname()` for a status line is no network use; opening a socket or a DNS lookup is."""
    from helpers import run, write_plugin

    honest = write_plugin(tmp_path, {"__init__.py": "import socket\n\ndef host():\n    return socket.gethostname()\n",
                                     "plugin.yaml": "name: honest\nversion: 1.0.0\n"}, name="honest")
    calls = write_plugin(tmp_path, {"__init__.py": "import socket\nfrom socket import create_connection\n\n"
                                    "def a(h):\n    return socket.socket()\n\ndef b(h):\n    return create_connection((h, 80))\n\n"
                                    "def c(h):\n    return socket.getaddrinfo(h, 443)\n",
                                    "plugin.yaml": "name: calls\nversion: 1.0.0\n"}, name="calls")
    report = run([honest, calls])
    inferred = {p.name: p.permissions["inferred"] for p in report.plugins}
    assert "network" not in inferred["honest"]
    assert "network" in inferred["calls"]
