"""mbcheck for hosts: check plugins in-process and decide which ones to load.

Everything here is static: no function imports, executes or compiles the
plugin's code. A host (MilkBottle's plugin loader, its marketplace installer)
checks a plugin, keeps the JSON report, and before every load asks
:func:`admit` whether the plugin on disk is still the code the report judged
and whether the report satisfies the host's policy::

    from pathlib import Path

    from mbcheck.api import Policy, admit, check, report_json

    plugin = Path("examples/plugins/hello_world")   # e.g. ~/.milkbottle/plugins/hello_world
    report = report_json(check(plugin))             # a dict, as `mbcheck lint -f json` writes it
    policy = Policy(allow_warn=False)               # or load_policy("policy.toml")
    decision = admit(plugin, report, policy)
    if decision.allowed:
        print("load it: import the package, call get_plugin_interface()")
    else:
        for reason in decision.reasons:
            print("refused:", reason)

A :class:`~mbcheck.model.Report` that :func:`check` returned in this process
never left it: ``admit(plugin, check(plugin), policy)`` trusts it as it is, even
when the policy requires signatures. JSON data — a report file, or any dict,
``report_json(...)`` included — is treated as having travelled: anyone can write
one, digest and all. A host that receives reports from elsewhere (a CI, a
marketplace) trusts the public key of whoever signs them::

    generate_key("ci-signing.key")       # once: ci-signing.key (secret), ci-signing.key.pub
    signed = sign_report(report_json(check(plugin)), "ci-signing.key")         # the signer
    Path("hello_world.report.json").write_text(json.dumps(signed, indent=2))   # it travels
    decision = admit(plugin, load_report("hello_world.report.json"), policy,   # the host
                     trusted_keys=["ci-signing.key.pub"])
    assert decision.authenticated   # when allowed with trusted keys: signed by one of them

With trusted keys (or ``Policy(require_signature=True)``) an unsigned report, one
signed by another key, or one edited after signing is refused before anything
in it is judged. Without them a dict is judged as it is and the decision says
``authenticated=False``. The format (an Ed25519 signature over the RFC 8785
canonical JSON of the report without its ``signature`` member) is described in
:mod:`mbcheck.signing`; :func:`verify_signature` checks one without a plugin.

``check`` never searches for a configuration file, neither in the plugin's
directory nor in the current directory: with ``config=None`` the defaults
apply, so a plugin cannot switch its own checks off. Bad input raises ``ValueError`` subclasses with a message naming the
file and the problem: :class:`~mbcheck.gate.ReportError`,
:class:`~mbcheck.gate.PolicyError`, :class:`~mbcheck.gate.GateError` and,
for a configuration :func:`check` cannot use, :class:`ConfigValueError`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from mbcheck.config import Config, ConfigError, from_mapping, load
from mbcheck.gate import (
    Decision,
    GateError,
    Policy,
    PolicyError,
    ReportError,
    admit,
    load_policy,
    policy_from_mapping,
    read_report,
    validate_report,
)
from mbcheck.model import Report
from mbcheck.signing import (
    KeyFileError,
    KeyPair,
    SignatureError,
    SigningError,
    TrustedKey,
    generate_key,
    key_id,
    load_private_key,
    load_public_key,
    sign_report,
    verify_signature,
)


class ConfigValueError(ValueError):
    """A configuration given to :func:`check` that cannot be used."""


def _config(config: Config | Mapping[str, Any] | str | Path | None) -> Config:
    if config is None:
        return Config()
    if isinstance(config, Config):
        return config
    try:
        if isinstance(config, Mapping):
            return from_mapping(config)
        return load(Path(config))  # that file only: no search, neither from the plugin nor the current directory
    except ConfigError as exc:
        raise ConfigValueError(str(exc)) from None


def check(
    path: str | Path | Sequence[str | Path],
    config: Config | Mapping[str, Any] | str | Path | None = None,
    *,
    jobs: int | None = None,
    use_cache: bool | None = None,
) -> Report:
    """Check one plugin (or several paths) and return the report; never imports plugin code.

    ``config`` is a :class:`~mbcheck.config.Config`, a mapping with the keys
    of ``[tool.mbcheck]``, the path of a TOML config file (``mbcheck.toml``
    or a ``pyproject.toml`` with ``[tool.mbcheck]``), or None for the
    defaults. Paths that do not exist are listed in ``Report.errors``.
    """
    from mbcheck.engine import check as run

    paths = [Path(path)] if isinstance(path, (str, Path)) else [Path(p) for p in path]
    resolved = _config(config)
    try:
        return run(paths, resolved, jobs=jobs, use_cache=use_cache)
    except ConfigError as exc:  # e.g. an unknown host profile
        raise ConfigValueError(str(exc)) from None


def report_json(report: Report) -> dict[str, Any]:
    """The report as JSON data (``schemas/report.schema.json``), as ``mbcheck lint -f json`` writes it."""
    from mbcheck.reporters.json import report_dict

    return report_dict(report)


def load_report(path_or_dict: str | Path | Mapping[str, Any]) -> dict[str, Any]:
    """A JSON report from a file path or already-parsed data, validated against the report schema.

    Raises :class:`~mbcheck.gate.ReportError` (a ``ValueError``) when the file
    cannot be read, is not JSON, or does not match ``schemas/report.schema.json``.
    """
    if isinstance(path_or_dict, Mapping):
        return validate_report(path_or_dict)
    return read_report(path_or_dict)


__all__ = [
    "ConfigValueError",
    "Decision",
    "GateError",
    "KeyFileError",
    "KeyPair",
    "Policy",
    "PolicyError",
    "ReportError",
    "SignatureError",
    "SigningError",
    "TrustedKey",
    "admit",
    "check",
    "generate_key",
    "key_id",
    "load_policy",
    "load_private_key",
    "load_public_key",
    "load_report",
    "policy_from_mapping",
    "report_json",
    "sign_report",
    "verify_signature",
]
