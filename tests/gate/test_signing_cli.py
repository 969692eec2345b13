"""`mbcheck keygen`, `mbcheck lint --sign KEY`, `mbcheck verify --trust PUBKEY` end to end."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from helpers import MINIMAL_INIT
from mbcheck.cli import app

PluginFactory = Callable[..., Path]
runner = CliRunner()
NOT_TRUSTED = "the report is not signed by a trusted key: "
EVIL_CODE = "\nimport subprocess\n\ndef run(cmd):\n    return subprocess.run(cmd, shell=True)\n"


def invoke(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(arg) for arg in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def keygen(path: Path, *extra: str) -> str:
    code, out, err = invoke("keygen", "--output", path, *extra)
    assert code == 0, err
    return out.splitlines()[0].removeprefix("key id: ")


def lint_signed(plugin: Path, key: Path, out: Path) -> dict[str, object]:
    code, _, err = invoke("lint", plugin, "--format", "json", "--sign", key, "-o", out, "--no-cache", "-j", "1")
    assert code in (0, 1), err
    data: dict[str, object] = json.loads(out.read_text())
    return data


def test_keygen_lint_sign_verify_trust_round_trip(
    make_plugin: PluginFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = invoke("keygen")  # the default file, in the working directory
    assert code == 0
    key_id = out.splitlines()[0].removeprefix("key id: ")
    assert len(key_id) == 64
    assert (tmp_path / "mbcheck-signing.key").is_file() and (tmp_path / "mbcheck-signing.key.pub").is_file()
    if os.name == "posix":
        assert stat.S_IMODE((tmp_path / "mbcheck-signing.key").stat().st_mode) == 0o600
    plugin = make_plugin("clean")
    report = tmp_path / "clean.report.json"
    data = lint_signed(plugin, Path("mbcheck-signing.key"), report)
    assert data["signature"] == {"algorithm": "ed25519", "key_id": key_id, "value": data["signature"]["value"]}  # type: ignore[index]
    code, out, err = invoke("verify", plugin, report, "--trust", "mbcheck-signing.key.pub")
    assert (code, out, err) == (0, f"admitted: {plugin}\n", "")


def test_keygen_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    key = tmp_path / "ci.key"
    first = keygen(key)
    before = key.read_bytes()
    code, out, err = invoke("keygen", "--output", key)
    assert code == 2 and out == ""
    assert err == f"mbcheck: error: {key}: already exists; not overwritten (pass --force to replace it)\n"
    assert key.read_bytes() == before
    assert keygen(key, "--force") != first


@pytest.mark.parametrize("kind", ["missing", "garbage", "public", "ec", "encrypted", "directory"])
def test_lint_sign_with_a_key_that_cannot_be_used_exits_two(make_plugin: PluginFactory, tmp_path: Path, kind: str) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519

    key = tmp_path / "bad.key"
    if kind == "garbage":
        key.write_text("not a key\n")
    elif kind == "public":
        keygen(tmp_path / "good.key")
        key = tmp_path / "good.key.pub"
    elif kind == "ec":
        ec_key = ec.generate_private_key(ec.SECP256R1())
        key.write_bytes(ec_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    elif kind == "encrypted":
        ed_key = ed25519.Ed25519PrivateKey.generate()
        key.write_bytes(ed_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                             serialization.BestAvailableEncryption(b"secret")))
    elif kind == "directory":
        key.mkdir()
    expected = {
        "missing": f"{key}: private key file not found",
        "garbage": f"{key}: not a PEM private key; write one with `mbcheck keygen`",
        "public": f"{key}: this is a public key; sign with the private key (the file without `.pub`)",
        "ec": f"{key}: not an Ed25519 private key (it is an EC key)",
        "encrypted": f"{key}: the private key is encrypted; mbcheck reads unencrypted PKCS#8 keys",
        "directory": f"{key}: is a directory, not a private key file",
    }[kind]
    out = tmp_path / "r.json"
    code, stdout, err = invoke("lint", make_plugin("clean"), "-f", "json", "--sign", key, "-o", out, "--no-cache")
    assert code == 2 and stdout == ""
    assert err.startswith(f"mbcheck: error: --sign: {expected}"), err
    assert "Traceback" not in err
    assert not out.exists()  # nothing is written: the key is read before any work


def test_lint_sign_needs_the_json_format(make_plugin: PluginFactory, tmp_path: Path) -> None:
    keygen(tmp_path / "ci.key")
    for fmt in ("text", "sarif", "github"):
        code, _, err = invoke("lint", make_plugin("clean"), "-f", fmt, "--sign", tmp_path / "ci.key")
        assert code == 2
        assert err == f"mbcheck: error: --sign signs JSON reports only; add --format json (got --format {fmt})\n"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ('"verdict": "fail"', '"verdict": "pass"'),
        ('"subprocess"', '"network"'),
        ('"severity": "error"', '"severity": "info"'),
    ],
    ids=["verdict", "permission", "severity"],
)
def test_a_signed_report_edited_in_a_text_editor_is_refused(
    make_plugin: PluginFactory, tmp_path: Path, before: str, after: str
) -> None:
    plugin = make_plugin("evil", {"__init__.py": MINIMAL_INIT + EVIL_CODE})
    key_id = keygen(tmp_path / "ci.key")
    report = tmp_path / "r.json"
    lint_signed(plugin, tmp_path / "ci.key", report)
    text = report.read_text()
    assert before in text
    report.write_text(text.replace(before, after, 1))
    code, out, err = invoke("verify", plugin, report, "--trust", tmp_path / "ci.key.pub")
    assert code == 1 and err == ""
    assert out == (
        f"refused: {plugin}\n  - {NOT_TRUSTED}the signature of key {key_id} does not match the report's "
        "content: the report was changed after it was signed, or the signature is forged\n"
    )


def test_one_byte_of_a_signed_report_changed_is_refused(make_plugin: PluginFactory, tmp_path: Path) -> None:
    plugin = make_plugin("clean")
    keygen(tmp_path / "ci.key")
    report = tmp_path / "r.json"
    lint_signed(plugin, tmp_path / "ci.key", report)
    raw = bytearray(report.read_bytes())
    where = raw.index(b"sha256:") + len(b"sha256:")  # the plugin's digest, first hex digit
    raw[where] = ord("0") if raw[where] != ord("0") else ord("1")
    report.write_bytes(bytes(raw))
    code, out, _ = invoke("verify", plugin, report, "--trust", tmp_path / "ci.key.pub")
    assert code == 1 and NOT_TRUSTED in out


def test_verify_trust_refuses_unsigned_and_foreign_reports(make_plugin: PluginFactory, tmp_path: Path) -> None:
    plugin = make_plugin("clean")
    trusted = keygen(tmp_path / "ci.key")
    other = keygen(tmp_path / "other.key")
    unsigned = tmp_path / "unsigned.json"
    assert invoke("lint", plugin, "-f", "json", "-o", unsigned, "--no-cache")[0] == 0
    code, out, _ = invoke("verify", plugin, unsigned, "--trust", tmp_path / "ci.key.pub")
    assert code == 1 and f"{NOT_TRUSTED}the report is not signed" in out
    foreign = tmp_path / "foreign.json"
    lint_signed(plugin, tmp_path / "other.key", foreign)
    code, out, _ = invoke("verify", plugin, foreign, "--trust", tmp_path / "ci.key.pub")
    assert code == 1
    assert f"{NOT_TRUSTED}it is signed by key {other}, which is not a trusted key (trusted: {trusted})" in out
    # trusting both keys (repeatable --trust) admits it
    code, out, _ = invoke("verify", plugin, foreign, "--trust", tmp_path / "ci.key.pub", "--trust", tmp_path / "other.key.pub")
    assert (code, out) == (0, f"admitted: {plugin}\n")


def test_verify_trust_with_a_key_that_cannot_be_used_exits_two(make_plugin: PluginFactory, tmp_path: Path) -> None:
    plugin = make_plugin("clean")
    keygen(tmp_path / "ci.key")
    report = tmp_path / "r.json"
    lint_signed(plugin, tmp_path / "ci.key", report)
    for key, message in (
        (tmp_path / "missing.pub", "public key file not found"),
        (tmp_path / "ci.key", "this is a private key; trust the public key (the `.pub` file) instead"),
        (report, "not a PEM public key"),
    ):
        code, out, err = invoke("verify", plugin, report, "--trust", key)
        assert code == 2 and out == "", err
        assert err.startswith("mbcheck: error: trusted key: ") and message in err and "Traceback" not in err


def test_a_policy_requiring_signatures(make_plugin: PluginFactory, tmp_path: Path) -> None:
    plugin = make_plugin("clean")
    keygen(tmp_path / "keys" / "ci.key")
    unsigned = tmp_path / "unsigned.json"
    assert invoke("lint", plugin, "-f", "json", "-o", unsigned, "--no-cache")[0] == 0
    signed = tmp_path / "signed.json"
    lint_signed(plugin, tmp_path / "keys" / "ci.key", signed)
    bare = tmp_path / "bare.toml"
    bare.write_text("require-signature = true\n")
    for report in (unsigned, signed):
        code, out, err = invoke("verify", plugin, report, "--policy", bare)
        assert code == 1 and err == ""
        assert "no trusted key is configured" in out
    policy = tmp_path / "policy.toml"
    policy.write_text('require-signature = true\ntrusted-keys = ["keys/ci.key.pub"]\n')
    assert invoke("verify", plugin, signed, "--policy", policy)[:2] == (0, f"admitted: {plugin}\n")
    code, out, _ = invoke("verify", plugin, unsigned, "--policy", policy)
    assert code == 1 and f"{NOT_TRUSTED}the report is not signed" in out


def test_a_plugin_cannot_make_its_report_unsignable(make_plugin: PluginFactory, tmp_path: Path) -> None:
    # numbers canonical JSON cannot represent, written by the plugin into its own manifest
    plugin = make_plugin("loud", extra="build: 123456789012345678901234567890\nweight: .nan\nsize: -.inf\n")
    keygen(tmp_path / "ci.key")
    data = lint_signed(plugin, tmp_path / "ci.key", tmp_path / "loud.json")
    metadata = data["plugins"][0]["metadata"]  # type: ignore[index]
    assert (metadata["build"], metadata["weight"], metadata["size"]) == ("123456789012345678901234567890", "nan", "-inf")
    _code, out, _ = invoke("verify", plugin, tmp_path / "loud.json", "--trust", tmp_path / "ci.key.pub")
    assert "not signed" not in out and "signature" not in out
