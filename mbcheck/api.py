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

A report kept on disk (or received with the plugin) is validated first with
``admit(plugin, load_report("hello_world.report.json"), policy)``.

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
    "ConfigValueError", "Decision", "GateError", "Policy", "PolicyError", "ReportError", "admit", "check",
    "load_policy", "load_report", "policy_from_mapping", "report_json",
]
