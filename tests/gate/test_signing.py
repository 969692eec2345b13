"""Signed reports: a JSON report is believed only when a trusted key signed exactly its content.

Each test performs the attack: a real report is signed with a generated key, then edited by
hand (or forged, or re-signed with another key) and handed to ``admit`` with the trusted key.
"""

from __future__ import annotations

import base64
import copy
import json
import os
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import MINIMAL_INIT, write_plugin
from mbcheck.api import (
    GateError,
    KeyFileError,
    Policy,
    PolicyError,
    SignatureError,
    admit,
    check,
    generate_key,
    key_id,
    load_policy,
    load_private_key,
    load_public_key,
    report_json,
    sign_report,
    verify_signature,
)
from mbcheck.digest import digest_directory

PluginFactory = Callable[..., Path]
NOT_TRUSTED = "the report is not signed by a trusted key: "
#: uses subprocess (undeclared) through a shell, and the network: errors, verdict fail
EVIL_CODE = (
    "\nimport subprocess\nimport urllib.request\n\n"
    "def run(cmd):\n"
    "    urllib.request.urlopen('https://example.com')\n"
    "    return subprocess.run(cmd, shell=True)\n"
)


def _report(plugin: Path) -> dict[str, Any]:
    return report_json(check(plugin, jobs=1, use_cache=False))


@pytest.fixture
def ci_key(tmp_path: Path) -> Path:
    """A generated key pair: the private key's path (the public key is beside it, ``.pub``)."""
    return generate_key(tmp_path / "keys" / "ci.key").private_path


def _pub(private: Path) -> Path:
    return private.with_name(private.name + ".pub")


@pytest.fixture
def evil(make_plugin: PluginFactory) -> Path:
    return make_plugin("evil", {"__init__.py": MINIMAL_INIT + EVIL_CODE}, extra="permissions: [network]\n")


def _whitewash(report: dict[str, Any]) -> None:
    """The forger's edit: verdict pass, no findings, only the declared permission."""
    entry = report["plugins"][0]
    entry["verdict"] = "pass"
    entry["findings"] = []
    entry["counts"] = {"error": 0, "warning": 0, "info": 0}
    entry["permissions"]["inferred"] = ["network"]
    entry["permissions"].pop("evidence", None)
    report["summary"].update(findings=0, error=0, warning=0, info=0, verdicts={"pass": 1, "warn": 0, "fail": 0})


# --------------------------------------------------------------------------- round trip


@pytest.mark.parametrize("form", ["path", "str", "pem", "object"])
def test_a_report_signed_by_a_trusted_key_is_admitted(make_plugin: PluginFactory, ci_key: Path, form: str) -> None:
    plugin = make_plugin("clean")
    signed = sign_report(_report(plugin), ci_key)
    public = load_public_key(_pub(ci_key))
    trusted: Any = {
        "path": _pub(ci_key),
        "str": str(_pub(ci_key)),
        "pem": _pub(ci_key).read_bytes(),
        "object": public,
    }[form]
    decision = admit(plugin, signed, Policy(), trusted_keys=[trusted])
    assert decision.allowed, decision.reasons
    assert decision.authenticated and decision.signed_by == key_id(public)
    assert signed["signature"]["key_id"] == key_id(public)
    # the file a reader parses is the same data: still admitted after a JSON round trip
    assert admit(plugin, json.loads(json.dumps(signed, indent=2)), trusted_keys=[trusted]).allowed


def test_the_signature_does_not_depend_on_key_order_or_whitespace(make_plugin: PluginFactory, ci_key: Path) -> None:
    signed = sign_report(_report(make_plugin("clean")), ci_key)
    reordered = json.loads(json.dumps(dict(reversed(list(signed.items()))), separators=(",", ":"), sort_keys=True))
    assert verify_signature(reordered, [_pub(ci_key)]) == signed["signature"]["key_id"]
    # signing again replaces the signature rather than signing the old one
    again = sign_report(signed, ci_key)
    assert again["signature"] == signed["signature"]  # Ed25519 is deterministic


# --------------------------------------------------------------------------- the attacks


def test_a_whitewashed_report_is_admitted_without_keys_but_refused_with_them(
    evil: Path, ci_key: Path
) -> None:
    """The attack this closes: anyone can rewrite a report, digest and all."""
    signed = sign_report(_report(evil), ci_key)
    assert not admit(evil, signed).allowed  # the honest report refuses the plugin
    forged = copy.deepcopy(signed)
    _whitewash(forged)
    unchecked = admit(evil, forged)
    assert unchecked.allowed and not unchecked.authenticated  # judged as it is: nothing to check it by
    decision = admit(evil, forged, trusted_keys=[_pub(ci_key)])
    assert not decision.allowed and not decision.authenticated
    assert decision.reasons == (
        NOT_TRUSTED + f"the signature of key {signed['signature']['key_id']} does not match the report's "
        "content: the report was changed after it was signed, or the signature is forged",
    )


def _verdict_pass_findings_removed(report: dict[str, Any]) -> None:
    report["plugins"][0]["verdict"] = "pass"
    report["plugins"][0]["findings"] = []


def _permission_removed(report: dict[str, Any]) -> None:
    report["plugins"][0]["permissions"]["inferred"].remove("subprocess")


def _one_finding_downgraded(report: dict[str, Any]) -> None:
    finding = next(f for f in report["plugins"][0]["findings"] if f["severity"] == "error")
    finding["severity"] = "info"


def _host_profile_changed(report: dict[str, Any]) -> None:
    report["tool"]["host_profile"] = "milkbottle-9.9.9"


def _member_added(report: dict[str, Any]) -> None:
    report["plugins"][0]["reviewed"] = True


@pytest.mark.parametrize(
    "edit",
    [_verdict_pass_findings_removed, _permission_removed, _one_finding_downgraded, _host_profile_changed,
     _member_added, _whitewash],
)
def test_a_signed_report_edited_by_hand_is_refused(evil: Path, ci_key: Path, edit: Callable[[dict[str, Any]], None]) -> None:
    signed = sign_report(_report(evil), ci_key)
    forged = copy.deepcopy(signed)
    edit(forged)
    decision = admit(evil, forged, Policy(), trusted_keys=[_pub(ci_key)])
    assert not decision.allowed
    # refused for its signature alone: nothing in an unauthenticated report is judged
    assert len(decision.reasons) == 1 and decision.reasons[0].startswith(NOT_TRUSTED), decision.reasons
    assert "does not match the report's content" in decision.reasons[0]


def test_a_swapped_digest_is_refused(make_plugin: PluginFactory, ci_key: Path) -> None:
    """The plugin is replaced after a clean signed report; the forger puts the new digest in."""
    plugin = make_plugin("clean")
    signed = sign_report(_report(plugin), ci_key)
    (plugin / "__init__.py").write_text(MINIMAL_INIT + EVIL_CODE)
    forged = copy.deepcopy(signed)
    forged["plugins"][0]["digest"] = digest_directory(plugin)
    assert admit(plugin, forged).allowed  # without keys the swap works
    decision = admit(plugin, forged, trusted_keys=[_pub(ci_key)])
    assert not decision.allowed
    assert decision.reasons[0].startswith(NOT_TRUSTED + "the signature of key ")
    # the honest signed report still catches the change by its digest
    honest = admit(plugin, signed, trusted_keys=[_pub(ci_key)])
    assert not honest.allowed and honest.authenticated and "digest mismatch" in honest.reasons[0]


def test_an_unsigned_report_is_refused_when_a_key_is_trusted(make_plugin: PluginFactory, ci_key: Path) -> None:
    plugin = make_plugin("clean")
    decision = admit(plugin, _report(plugin), trusted_keys=[_pub(ci_key)])
    assert not decision.allowed
    assert decision.reasons == (
        NOT_TRUSTED + "the report is not signed (sign it with `mbcheck lint --format json --sign KEY`)",
    )


def test_a_report_signed_by_another_key_is_refused(make_plugin: PluginFactory, ci_key: Path, tmp_path: Path) -> None:
    plugin = make_plugin("clean")
    other = generate_key(tmp_path / "other.key")
    signed = sign_report(_report(plugin), other.private_path)
    decision = admit(plugin, signed, trusted_keys=[_pub(ci_key)])
    trusted = key_id(load_public_key(_pub(ci_key)))
    assert decision.reasons == (
        NOT_TRUSTED + f"it is signed by key {other.key_id}, which is not a trusted key (trusted: {trusted})",
    )


def test_a_signature_claiming_the_trusted_key_id_is_checked(make_plugin: PluginFactory, ci_key: Path, tmp_path: Path) -> None:
    """The forger signs with their own key and writes the trusted key's id into the signature."""
    plugin = make_plugin("clean")
    trusted = key_id(load_public_key(_pub(ci_key)))
    forged = sign_report(_report(plugin), generate_key(tmp_path / "forger.key").private_path)
    forged["signature"]["key_id"] = trusted
    decision = admit(plugin, forged, trusted_keys=[_pub(ci_key)])
    assert not decision.allowed
    assert decision.reasons[0].startswith(NOT_TRUSTED + f"the signature of key {trusted} does not match")


@pytest.mark.parametrize(
    ("value", "algorithm", "reason"),
    [
        (base64.b64encode(bytes(range(64))).decode(), "ed25519", "does not match the report's content"),
        ("not base64!", "ed25519", "is not a base64 Ed25519 signature"),
        (base64.b64encode(b"short").decode(), "ed25519", "is not a base64 Ed25519 signature"),
        ("", "ed25519", "is not a base64 Ed25519 signature"),
        (base64.b64encode(bytes(64)).decode(), "none", "its signature algorithm is 'none'"),
    ],
    ids=["garbage-64-bytes", "not-base64", "too-short", "empty", "algorithm-none"],
)
def test_a_forged_signature_object_is_refused(
    make_plugin: PluginFactory, ci_key: Path, value: str, algorithm: str, reason: str
) -> None:
    plugin = make_plugin("clean")
    forged = _report(plugin)
    forged["signature"] = {"algorithm": algorithm, "key_id": key_id(load_public_key(_pub(ci_key))), "value": value}
    decision = admit(plugin, forged, trusted_keys=[_pub(ci_key)])
    assert not decision.allowed and decision.reasons[0].startswith(NOT_TRUSTED)
    assert reason in decision.reasons[0]


def test_a_malformed_signature_member_is_bad_input(make_plugin: PluginFactory, ci_key: Path) -> None:
    plugin = make_plugin("clean")
    forged = sign_report(_report(plugin), ci_key)
    forged["signature"]["note"] = "trust me"
    with pytest.raises(GateError, match="does not match the mbcheck report schema at `/signature`"):
        admit(plugin, forged, trusted_keys=[_pub(ci_key)])


# --------------------------------------------------------------------------- policies


def test_require_signature_without_any_trusted_key_refuses(make_plugin: PluginFactory, ci_key: Path) -> None:
    plugin = make_plugin("clean")
    for report in (_report(plugin), sign_report(_report(plugin), ci_key)):
        decision = admit(plugin, report, Policy(require_signature=True))
        assert not decision.allowed
        assert len(decision.reasons) == 1 and "no trusted key is configured" in decision.reasons[0]


def test_a_policy_file_requires_signatures_by_keys_relative_to_it(
    make_plugin: PluginFactory, ci_key: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plugin = make_plugin("clean")
    host = tmp_path / "host"
    (host / "keys").mkdir(parents=True)
    (host / "keys" / "ci.pub").write_bytes(_pub(ci_key).read_bytes())
    policy_file = host / "policy.toml"
    policy_file.write_text('require-signature = true\ntrusted-keys = ["keys/ci.pub"]\n')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # relative to the policy file, not to the working directory
    policy = load_policy(policy_file)
    assert policy.require_signature and len(policy.trusted_keys) == 1
    report = _report(plugin)
    signed = sign_report(report, ci_key)
    assert admit(plugin, signed, policy).allowed
    assert admit(plugin, signed, policy_file).allowed
    refused = admit(plugin, report, policy)
    assert not refused.allowed and refused.reasons[0].startswith(NOT_TRUSTED + "the report is not signed")
    forged = copy.deepcopy(signed)
    _verdict_pass_findings_removed(forged)
    forged["plugins"][0]["verdict"] = "warn"
    assert not admit(plugin, forged, policy).allowed


def test_trusted_keys_alone_require_a_signature(make_plugin: PluginFactory, ci_key: Path, tmp_path: Path) -> None:
    plugin = make_plugin("clean")
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text(f"trusted-keys: [{_pub(ci_key)}]\n")  # absolute paths work too
    assert not admit(plugin, _report(plugin), policy_file).allowed
    assert admit(plugin, sign_report(_report(plugin), ci_key), policy_file).allowed


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "keys/ci.pub: public key file not found"),
        (b"hello\n", "keys/ci.pub: not a PEM public key"),
        ("private", "keys/ci.pub: this is a private key; trust the public key (the `.pub` file) instead"),
    ],
    ids=["missing", "garbage", "private-key"],
)
def test_a_policy_trusted_key_that_cannot_be_used_is_a_policy_error(
    ci_key: Path, tmp_path: Path, content: bytes | str | None, message: str
) -> None:
    host = tmp_path / "host"
    (host / "keys").mkdir(parents=True)
    if content == "private":
        (host / "keys" / "ci.pub").write_bytes(ci_key.read_bytes())
    elif isinstance(content, bytes):
        (host / "keys" / "ci.pub").write_bytes(content)
    policy_file = host / "policy.toml"
    policy_file.write_text('trusted-keys = ["keys/ci.pub"]\n')
    with pytest.raises(PolicyError) as caught:
        load_policy(policy_file)
    assert str(caught.value).startswith(f"{policy_file}: trusted-keys: ")
    assert message in str(caught.value)


def test_policy_keys_are_validated_by_the_schema() -> None:
    from mbcheck.api import policy_from_mapping

    with pytest.raises(PolicyError, match="require-signature"):
        policy_from_mapping({"require-signature": "yes"})
    with pytest.raises(PolicyError, match="trusted-keys"):
        policy_from_mapping({"trusted-keys": "keys/ci.pub"})


def test_a_trusted_key_that_cannot_be_used_is_bad_input(make_plugin: PluginFactory, tmp_path: Path) -> None:
    plugin = make_plugin("clean")
    with pytest.raises(GateError, match=r"missing\.pub: public key file not found"):
        admit(plugin, _report(plugin), trusted_keys=[tmp_path / "missing.pub"])


# --------------------------------------------------------------------------- in process


def test_a_report_object_from_check_needs_no_signature(evil: Path, make_plugin: PluginFactory, ci_key: Path) -> None:
    plugin = make_plugin("clean")
    report = check(plugin, jobs=1, use_cache=False)
    for policy in (Policy(require_signature=True), Policy(trusted_keys=(_pub(ci_key),))):
        decision = admit(plugin, report, policy, trusted_keys=[_pub(ci_key)])
        assert decision.allowed and decision.authenticated and decision.signed_by is None
    # and it is still judged: an in-process report of a bad plugin refuses it
    bad = admit(evil, check(evil, jobs=1, use_cache=False), Policy(require_signature=True))
    assert not bad.allowed and bad.authenticated and any("verdict is fail" in r for r in bad.reasons)


def test_without_keys_a_dict_is_judged_but_not_authenticated(make_plugin: PluginFactory, ci_key: Path) -> None:
    plugin = make_plugin("clean")
    for report in (_report(plugin), sign_report(_report(plugin), ci_key)):
        decision = admit(plugin, report)
        assert decision.allowed and not decision.authenticated and decision.signed_by is None


# --------------------------------------------------------------------------- keys


def test_generate_key_writes_a_private_pkcs8_pem_0600_and_a_public_pem(tmp_path: Path) -> None:
    pair = generate_key(tmp_path / "k.key")
    private = pair.private_path.read_bytes()
    public = pair.public_path.read_bytes()
    assert private.startswith(b"-----BEGIN PRIVATE KEY-----\n")  # PKCS#8, unencrypted
    assert public.startswith(b"-----BEGIN PUBLIC KEY-----\n")  # SubjectPublicKeyInfo
    if os.name == "posix":
        assert stat.S_IMODE(pair.private_path.stat().st_mode) == 0o600
    assert key_id(load_private_key(pair.private_path).public_key()) == pair.key_id
    assert key_id(load_public_key(pair.public_path)) == pair.key_id
    assert len(pair.key_id) == 64 and int(pair.key_id, 16) >= 0


def test_generate_key_never_overwrites_without_force(tmp_path: Path) -> None:
    first = generate_key(tmp_path / "k.key")
    before = first.private_path.read_bytes()
    with pytest.raises(KeyFileError, match="already exists; not overwritten"):
        generate_key(tmp_path / "k.key")
    assert first.private_path.read_bytes() == before
    # the public key alone is protected too
    (tmp_path / "p.key.pub").write_text("someone's key\n")
    with pytest.raises(KeyFileError, match=r"p\.key\.pub: already exists"):
        generate_key(tmp_path / "p.key")
    assert not (tmp_path / "p.key").exists()
    second = generate_key(tmp_path / "k.key", force=True)
    assert second.key_id != first.key_id and first.private_path.read_bytes() != before


def test_generate_key_does_not_write_through_a_link(tmp_path: Path) -> None:
    target = tmp_path / "victim.txt"
    target.write_text("precious\n")
    (tmp_path / "k.key").symlink_to(target)
    with pytest.raises(KeyFileError, match="already exists"):
        generate_key(tmp_path / "k.key")
    generate_key(tmp_path / "k.key", force=True)  # replaces the link, not the file it points to
    assert target.read_text() == "precious\n"
    assert not (tmp_path / "k.key").is_symlink()


def test_keys_of_another_kind_are_refused(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    other = ec.generate_private_key(ec.SECP256R1())
    private = tmp_path / "ec.key"
    private.write_bytes(other.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    public = tmp_path / "ec.pub"
    public.write_bytes(other.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    with pytest.raises(KeyFileError, match="not an Ed25519 private key"):
        load_private_key(private)
    with pytest.raises(KeyFileError, match="not an Ed25519 public key"):
        load_public_key(public)
    with pytest.raises(KeyFileError, match="not a PEM private key"):
        load_private_key(b"\x00\x01")


def test_verify_signature_needs_a_trusted_key(make_plugin: PluginFactory, ci_key: Path) -> None:
    signed = sign_report(_report(make_plugin("clean")), ci_key)
    with pytest.raises(SignatureError, match="no trusted key is configured"):
        verify_signature(signed, [])


# --------------------------------------------------------------------------- every change


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [leaf for key, item in value.items() for leaf in _leaves(item, (*path, key))] or [path]
    if isinstance(value, list):
        return [leaf for i, item in enumerate(value) for leaf in _leaves(item, (*path, i))] or [path]
    return [path]


@pytest.fixture(scope="module")
def signed_evil(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    base = tmp_path_factory.mktemp("signed")
    plugin_yaml = "name: evil\nversion: 1.0.0\ndescription: Uses more than it declares.\npermissions: [network]\n"
    plugin = write_plugin(base / "plugins", {"plugin.yaml": plugin_yaml, "__init__.py": MINIMAL_INIT + EVIL_CODE}, name="evil")
    pair = generate_key(base / "ci.key")
    return sign_report(_report(plugin), pair.private_path), pair.public_path


JSON_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-(2**53) + 1, 2**53 - 1), st.text(max_size=8))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_change_to_a_signed_reports_content_invalidates_it(
    signed_evil: tuple[dict[str, Any], Path], data: st.DataObject
) -> None:
    signed, public = signed_evil
    content = {key: value for key, value in signed.items() if key != "signature"}
    leaves = _leaves(content)
    path = data.draw(st.sampled_from(leaves), label="where")
    forged = copy.deepcopy(signed)
    parent: Any = forged
    for step in path[:-1]:
        parent = parent[step]
    old = parent[path[-1]]
    action = data.draw(st.sampled_from(["replace", "delete", "add"]), label="action")
    if action == "replace":
        new = data.draw(JSON_SCALARS.filter(lambda v: v != old or type(v) is not type(old)), label="new")
        parent[path[-1]] = new
    elif action == "delete":
        del parent[path[-1]]
    elif isinstance(parent, list):
        parent.insert(path[-1], data.draw(JSON_SCALARS, label="inserted"))
    else:
        parent[data.draw(st.text(min_size=1, max_size=6).filter(lambda k: k not in parent), label="key")] = old
    with pytest.raises(SignatureError, match="does not match the report's content"):
        verify_signature(forged, [public])
    assert verify_signature(signed, [public])  # the original still verifies


# --------------------------------------------------------------------------- cost


def test_version_import_and_plain_lint_do_not_load_cryptography(make_plugin: PluginFactory, tmp_path: Path) -> None:
    plugin = make_plugin("clean")
    probe = (
        "import runpy, sys\n"
        "import mbcheck.api, mbcheck.gate, mbcheck.cli\n"
        f"sys.argv = ['mbcheck', 'lint', {str(plugin)!r}, '-f', 'json', '-o', {str(tmp_path / 'r.json')!r}, '--no-cache', '-j', '1']\n"
        "try:\n    runpy.run_module('mbcheck', run_name='__main__')\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('cryptography', 'rfc8785') if m in sys.modules))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parents[2]), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=False, timeout=120)
    assert result.stdout.strip().endswith("[]"), (result.stdout, result.stderr)
    assert json.loads((tmp_path / "r.json").read_text())["plugins"]


def test_the_readme_signed_policy_example_is_a_valid_policy(ci_key: Path, tmp_path: Path) -> None:
    import re

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```toml\n(.*?)```", readme, re.S) if "require-signature" in b]
    assert blocks, "the README shows a policy that requires signatures"
    host = tmp_path / "host"
    (host / "keys").mkdir(parents=True)
    (host / "keys" / "ci.pub").write_bytes(_pub(ci_key).read_bytes())
    for block in blocks:
        (host / "policy.toml").write_text(block)
        policy = load_policy(host / "policy.toml")
        assert policy.require_signature and policy.trusted_keys == (_pub(ci_key).read_bytes(),)
