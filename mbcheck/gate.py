"""The loader gate: decide whether a host may load a plugin, given its report and a policy.

A report binds its verdict to the exact bytes it judged (each plugin's
``digest``). :func:`admit` re-hashes the plugin as it is now and refuses it
when the code changed after it was checked, when the report is about another
plugin, or when the report says something the policy does not accept. It never
imports or runs the plugin.

A policy is a small YAML or TOML file (schema: ``schemas/policy.schema.json``)::

    grant-declared = true             # declared permissions are granted (default: true)
    allow-permissions = ["network"]   # what plugins may have at most (default: no limit
                                      # with grant-declared, nothing without it)
    block-severity = "warning"        # findings at or above this refuse (default: error)
    block-rules = ["MB3", "B602"]     # codes or prefixes that always refuse
    allow-warn = false                # whether `warn` plugins load (default: true)
    complete = true                   # the report must leave nothing out: every rule,
                                      # no ignores, exclusions, lowered severities or limits
    require-signature = true          # only reports signed by a trusted key (default: false)
    trusted-keys = ["keys/ci.pub"]    # public keys whose signatures are accepted (paths
                                      # relative to the policy file); any key requires a signature
    allow-unanalysed = false          # whether files mbcheck did not analyse may load (default: false)
    honour-suppressions = false       # whether `# mbcheck: ignore` comments in the plugin
                                      # silence findings here too (default: false)

A plugin whose code uses a permission it does not declare is always refused.
So is one the report says holds files mbcheck did not analyse (its
``not_analysed`` field: too large, too slow, native code, ...), unless the policy
allows it, and one whose ``__pycache__`` holds bytecode that is not provably the
compilation of its source (checked on disk here, since the digest cannot cover
the caches the host writes).

A JSON report (a file or a dict) has travelled: anyone can write one, digest included. With
trusted keys or ``require-signature`` it must carry a signature by a trusted key over its whole
content (``mbcheck.signing``), checked before anything else in it is believed. A
:class:`~mbcheck.model.Report` returned by ``check()`` in the same process never left it and
needs no signature.

Findings silenced by ``# mbcheck: ignore`` comments are the plugin author's
claim: unless the policy honours suppressions they are judged like the others.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any

from mbcheck.archive.formats import ARCHIVE_SUFFIXES, WHEEL_SUFFIX, archive_suffix, has_archive_name
from mbcheck.bytecode import SourceStat, directory_stat
from mbcheck.digest import DigestError, digest_directory, digest_files, settings_digest
from mbcheck.documents.files import read_json, read_text
from mbcheck.documents.schema import did_you_mean, first_error, path_text, unknown_keys
from mbcheck.model import Report, Severity
from mbcheck.resources import load_json
from mbcheck.signing import KeyFileError, TrustedKey

#: blocking findings listed one by one before the rest are counted
MAX_LISTED_FINDINGS = 20


class GateError(ValueError):
    """Input the gate cannot judge: a missing plugin, a report or policy that cannot be used."""


class PolicyError(GateError):
    """A policy file that cannot be read or does not match ``schemas/policy.schema.json``."""


class ReportError(GateError):
    """A report that is not JSON or does not match ``schemas/report.schema.json``."""


@cache
def permission_vocabulary() -> tuple[str, ...]:
    """The permission names a policy may grant, in report order (``rules/permissions.json``)."""
    return tuple(load_json("rules/permissions.json")["permissions"])


@dataclass(frozen=True)
class Policy:
    """What a host admits.

    By default the permissions a plugin declares are granted (the user consented
    to them when installing it) and `warn` plugins are admitted; code that uses a
    permission its plugin does not declare is always refused.
    """

    #: the most a plugin may declare or use (None: no limit beyond its declaration
    #: when ``grant_declared``; nothing when not)
    allow_permissions: frozenset[str] | None = None
    #: whether a plugin's declared permissions are granted (up to ``allow_permissions``)
    grant_declared: bool = True
    block_severity: Severity = Severity.ERROR
    block_rules: tuple[str, ...] = ()
    allow_warn: bool = True
    #: whether a plugin with files mbcheck did not analyse is admitted
    allow_unanalysed: bool = False
    #: whether findings silenced by ``# mbcheck: ignore`` comments in the plugin's
    #: own source stay silenced (default: no, they are judged like any other)
    honour_suppressions: bool = False
    #: when set, the report must have been made against this host profile
    host_profile: str | None = None
    #: whether the report must come from a complete check: every rule selected, nothing
    #: ignored or excluded, no severity lowered, the default per-file limits (``complete``)
    complete: bool = False
    #: whether a JSON report must be signed by a trusted key (a ``Report`` object from
    #: ``check()`` in the same process needs no signature)
    require_signature: bool = False
    #: public keys whose signatures are accepted (paths, PEM bytes or ``Ed25519PublicKey``
    #: objects); with any key, a JSON report must be signed by one of them
    trusted_keys: tuple[TrustedKey, ...] = ()
    #: where the policy came from (None: built in code)
    source: str | None = None

    def blocks_rule(self, code: str) -> bool:
        return any(code == sel or code.startswith(sel) for sel in self.block_rules)


@dataclass(frozen=True)
class Decision:
    """Whether the host may load the plugin, and every reason it may not."""

    allowed: bool
    reasons: tuple[str, ...] = field(default=())
    #: whether the report is known to come from mbcheck unchanged: a ``Report`` object from
    #: ``check()`` in this process, or JSON signed by a trusted key. False for JSON judged
    #: without trusted keys: anyone could have written it.
    authenticated: bool = False
    #: the key id of the trusted key that signed the report (None when not verified)
    signed_by: str | None = None


# --------------------------------------------------------------------------- policies


def policy_from_mapping(data: Mapping[str, Any], source: str = "<policy>") -> Policy:
    """A :class:`Policy` from parsed YAML/TOML data; raises :class:`PolicyError`.

    ``source`` is the policy file's path: relative ``trusted-keys`` are read relative to
    its directory (to the working directory when there is no file), and now, so a key
    that cannot be used is reported as a problem of the policy.
    """
    if not isinstance(data, Mapping):
        raise PolicyError(f"{source}: a policy must be a table of settings, not {type(data).__name__}")
    found = first_error("policy", dict(data), "path")
    if found is not None:
        raise PolicyError(f"{source}: {_policy_problem(found[0])}")
    return Policy(
        allow_permissions=frozenset(data["allow-permissions"]) if "allow-permissions" in data else None,
        grant_declared=bool(data.get("grant-declared", True)),
        block_severity=Severity(data.get("block-severity", "error")),
        block_rules=tuple(data.get("block-rules", ())),
        allow_warn=bool(data.get("allow-warn", True)),
        allow_unanalysed=bool(data.get("allow-unanalysed", False)),
        honour_suppressions=bool(data.get("honour-suppressions", False)),
        host_profile=data.get("host-profile"),
        complete=bool(data.get("complete", False)),
        source=None if source == "<policy>" else source,
        require_signature=bool(data.get("require-signature", False)),
        trusted_keys=_policy_keys(data.get("trusted-keys", ()), source),
    )


def _policy_keys(paths: Iterable[str], source: str) -> tuple[TrustedKey, ...]:
    """The policy's trusted keys, read now (paths relative to the policy file) as PEM bytes."""
    if not paths:
        return ()
    from mbcheck.signing import load_public_key, public_key_pem

    base = Path(source).parent if source != "<policy>" else Path.cwd()
    keys: list[TrustedKey] = []
    for name in paths:
        path = base / Path(name).expanduser()
        try:
            keys.append(public_key_pem(load_public_key(path)))
        except KeyFileError as exc:
            raise PolicyError(f"{source}: trusted-keys: {exc}") from None
    return tuple(keys)


def _policy_problem(error: Any) -> str:
    where = path_text(error)
    path = list(error.absolute_path)
    extra = unknown_keys(error)
    if extra:
        known = sorted(error.schema.get("properties", {}))
        return f"unknown key `{extra[0]}`{did_you_mean(str(extra[0]), known)}; known keys: {', '.join(known)}"
    if path and path[0] == "allow-permissions" and len(path) == 2 and error.validator == "enum":
        vocabulary = permission_vocabulary()
        hint = did_you_mean(str(error.instance), vocabulary)
        return (
            f"unknown permission `{error.instance}` in allow-permissions{hint}; "
            f"known permissions: {', '.join(vocabulary)}"
        )
    if path and path[0] == "block-rules" and error.validator == "pattern":
        return f"block-rules: `{error.instance}` is not a rule code or prefix (like MB301, MB3 or B602)"
    return f"invalid value for `{where or '(top level)'}`: {error.message}"


def load_policy(path: str | Path) -> Policy:
    """Read a policy file (``.toml``, ``.yaml``/``.yml`` or ``.json``); raises :class:`PolicyError`."""
    policy_path = Path(path)
    text = read_text(policy_path, "policy", PolicyError)
    suffix = policy_path.suffix.lower()
    data: Any
    if suffix == ".toml":
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise PolicyError(f"{policy_path}: invalid TOML: {exc}") from None
    elif suffix in (".yaml", ".yml", ".json"):
        import yaml

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise PolicyError(f"{policy_path}: invalid YAML: {exc}") from None
        if data is None:
            data = {}
    else:
        raise PolicyError(f"{policy_path}: a policy file must end in .toml, .yaml, .yml or .json")
    return policy_from_mapping(data, str(policy_path))


# --------------------------------------------------------------------------- reports


def validate_report(data: Any, source: str = "report") -> dict[str, Any]:
    """``data`` if it is a report this mbcheck understands; raises :class:`ReportError`."""
    from mbcheck.reporters.json import SCHEMA_VERSION

    if not isinstance(data, Mapping):
        raise ReportError(f"{source}: not an mbcheck report (a JSON object is expected, got {type(data).__name__})")
    report = dict(data)
    version = report.get("schema_version")
    if isinstance(version, str) and version.split(".", 1)[0] != SCHEMA_VERSION.split(".", 1)[0]:
        raise ReportError(
            f"{source}: report schema version {version} is not supported (this mbcheck reads {SCHEMA_VERSION})"
        )
    found = first_error("report", report, "shallow")
    if found is not None:
        error, count = found
        more = f" (and {count - 1} more problems)" if count > 1 else ""
        raise ReportError(
            f"{source}: does not match the mbcheck report schema at `/{path_text(error)}`: {error.message}{more}"
        )
    return report


def read_report(path: str | Path) -> dict[str, Any]:
    """Read and validate a JSON report file; raises :class:`ReportError`."""
    report_path = Path(path)
    data = read_json(report_path, "report", ReportError, json_hint="; write the report with `mbcheck lint --format json`")
    return validate_report(data, str(report_path))


# --------------------------------------------------------------------------- admission


def identity(path: str) -> str:
    """What names a plugin in a path: its last component, without an archive suffix."""
    name = PurePosixPath(path.replace("\\", "/")).name
    suffix = archive_suffix(name)
    if suffix is not None and len(name) > len(suffix):
        stem = name[: -len(suffix)]
        return stem.split("-", 1)[0] if suffix == WHEEL_SUFFIX else stem
    return name


def current_digest(plugin: Path) -> str:
    """The digest of a plugin directory or archive as it is now; raises DigestError."""
    if plugin.is_dir():
        return digest_directory(plugin)
    from mbcheck.archive.inspect import (
        inspect_archive,  # an archive: hashed in memory, never extracted
    )

    contents = inspect_archive(plugin)
    if not contents.files and contents.problems:
        raise DigestError("; ".join(problem.message for problem in contents.problems))
    return digest_files(contents.files)


def manifest_name(plugin: Path) -> str | None:
    """The ``name`` in the plugin's ``plugin.yaml`` (read from an archive in memory), or None.

    The report names a plugin by its manifest; an archive's file name is only
    what it was saved as (``hello_world-1.2.zip``, a download's name), so the
    gate matches by the name inside.
    """
    from mbcheck.documents.pointers import DocumentError, load_yaml

    try:
        if plugin.is_dir():
            data = (plugin / "plugin.yaml").read_bytes() if (plugin / "plugin.yaml").is_file() else None
        else:
            from mbcheck.archive.inspect import inspect_archive

            data = inspect_archive(plugin).files.get("plugin.yaml")
        if data is None:
            return None
        value = load_yaml(data, "plugin.yaml").value
    except (OSError, DocumentError, ValueError):
        return None
    name = value.get("name") if isinstance(value, dict) else None
    return name if isinstance(name, str) and name else None


def _select(plugin: Path, entries: Sequence[Mapping[str, Any]], digest: str | None) -> Mapping[str, Any] | None:
    wanted = identity(plugin.resolve().as_posix())
    manifest = manifest_name(plugin)
    named = [
        e for e in entries
        if identity(str(e["path"])) == wanted or e["name"] == wanted or (manifest is not None and e["name"] == manifest)
    ]
    if not named:
        # a report written from inside the plugin shows its path as "."
        named = [e for e in entries if identity(str(e["path"])) in ("", ".", "..") and e["digest"] == digest]
    if not named:
        return None
    exact = [e for e in named if e["digest"] == digest]
    return (exact or named)[0]


def _where(finding: Mapping[str, Any]) -> str:
    path = finding.get("path") or "(plugin)"
    return f"{path}:{finding.get('line', 1)}" if finding.get("path") else path


def admit(
    plugin_path: str | Path,
    report: Report | Mapping[str, Any],
    policy: Policy | str | Path | None = None,
    *,
    trusted_keys: Iterable[TrustedKey] = (),
) -> Decision:
    """Whether the host may load the plugin at ``plugin_path``, judged by ``report`` and ``policy``.

    ``report`` is either the :class:`~mbcheck.model.Report` that ``check()`` returned
    in this process, which never left it and is trusted as it is, or JSON data (a
    dict, e.g. a parsed report file), which is treated as having travelled: when
    ``trusted_keys`` (paths, PEM bytes or ``Ed25519PublicKey`` objects, added to the
    policy's ``trusted_keys``) are given or the policy sets ``require_signature``, it
    is refused unless it carries a signature by one of those keys over its whole
    content, and nothing else in it is judged before that. Without keys and without
    ``require_signature`` an unsigned dict is judged as it is, and the decision says
    ``authenticated=False``.

    Raises :class:`GateError` (a ``ValueError``) for input it cannot judge: a
    missing plugin path, a report that does not match the report schema, a
    policy file or a trusted key that cannot be used.
    """
    from mbcheck.reporters.json import report_dict

    plugin = Path(plugin_path)
    if not plugin.exists():
        raise GateError(f"{plugin}: no such plugin directory or archive")
    if not plugin.is_dir() and not (plugin.is_file() and has_archive_name(plugin.name)):
        raise GateError(f"{plugin}: not a plugin directory or archive ({', '.join(ARCHIVE_SUFFIXES)})")
    in_process = isinstance(report, Report)
    data = report_dict(report) if isinstance(report, Report) else validate_report(report)
    if policy is None:
        policy = Policy()
    elif not isinstance(policy, Policy):
        policy = load_policy(policy)

    signer, refusal = _signature(policy, trusted_keys, data, in_process)
    if refusal is not None:
        return Decision(False, (refusal,))
    authenticated = in_process or signer is not None

    reasons: list[str] = []
    try:
        digest: str | None = current_digest(plugin)
    except DigestError as exc:
        digest = None
        reasons.append(f"the plugin's files cannot be verified: {exc}")
    entries: list[Mapping[str, Any]] = list(data["plugins"])
    entry = _select(plugin, entries, digest)
    if entry is None:
        listed = ", ".join(f"`{e['name']}` ({e['path']})" for e in entries) or "no plugin"
        reasons.append(f"the report is for a different plugin: it covers {listed}, not `{identity(plugin.resolve().as_posix())}`")
        return Decision(False, tuple(reasons), authenticated, signer)

    if digest is not None and entry["digest"] != digest:
        reasons.append(
            f"digest mismatch: the plugin's files changed after it was checked "
            f"(the report judged {entry['digest']}; on disk now {digest})"
        )
    reasons.extend(_host_profile(policy, data))
    reasons.extend(_completeness(policy, data))
    reasons.extend(_findings(policy, entry))
    reasons.extend(_permissions(policy, entry))
    reasons.extend(_unanalysed(policy, entry))
    reasons.extend(_bytecode(plugin, entry))
    return Decision(not reasons, tuple(reasons), authenticated, signer)


def _signature(
    policy: Policy, extra_keys: Iterable[TrustedKey], data: Mapping[str, Any], in_process: bool
) -> tuple[str | None, str | None]:
    """(the key id that signed the report, or the reason it is refused before being judged).

    A report from ``check()`` in this process needs no signature; JSON data needs one by a
    trusted key when any key is trusted or the policy requires signatures.
    """
    trusted = [*policy.trusted_keys, *extra_keys]
    if in_process or not (trusted or policy.require_signature):
        return None, None
    from mbcheck.signing import SignatureError, load_trusted_keys, verify_signature

    try:
        keys = load_trusted_keys(trusted)
    except KeyFileError as exc:
        raise GateError(f"trusted key: {exc}") from None
    if not keys:
        return None, (
            "the report is not signed by a trusted key: the policy requires a signature "
            "(require-signature) but no trusted key is configured; add `trusted-keys` to the "
            "policy or pass the key (`--trust PUBKEY`, `trusted_keys=`)"
        )
    try:
        return verify_signature(data, keys.values()), None
    except SignatureError as exc:
        return None, f"the report is not signed by a trusted key: {exc}"


def _host_profile(policy: Policy, data: Mapping[str, Any]) -> list[str]:
    """The report names the profile the policy requires (an alias stands for the profile it names)."""
    from mbcheck.config import canonical_host_profile

    tool = data.get("tool", {})
    if policy.host_profile is None:
        return []
    required = canonical_host_profile(policy.host_profile)
    if tool.get("host_profile") == required:
        return []
    alias = f" (`{policy.host_profile}` is an alias of it)" if required != policy.host_profile else ""
    return [
        f"the report was made against host profile `{tool.get('host_profile', 'unknown')}`; "
        f"the policy requires `{required}`{alias}"
    ]


#: how a policy that requires a complete check is named in a refusal
_COMPLETE = "the policy requires a complete check (complete = true)"


def _codes_text(codes: Sequence[str]) -> str:
    return ", ".join(codes)


def _covers_all(select: Sequence[str]) -> bool:
    """Whether a selection matches every rule code (each starts with ``MB`` or ``B``)."""
    return "ALL" in select or all(any(family.startswith(sel) for sel in select) for family in ("MB", "B"))


def _lowered_severities(overrides: Mapping[str, str]) -> list[str]:
    """Each severity override below the highest severity its rule reports (from the shipped catalog)."""
    from mbcheck.rules.catalog import describe

    known = describe(sorted(overrides), rule_modules=False)
    lowered = []
    for code, value in sorted(overrides.items()):
        rule = known.get(code)
        # a code this mbcheck does not know: only `error` is sure not to lower anything
        highest = rule.highest_severity if rule is not None else Severity.ERROR
        if Severity(value).rank < highest.rank:
            lowered.append(f"{code} from {highest.value} to {value}")
    return lowered


def _completeness(policy: Policy, data: Mapping[str, Any]) -> list[str]:
    """With ``complete``: each way the report's recorded settings left something out."""
    if not policy.complete:
        return []
    settings = data.get("tool", {}).get("settings")
    if settings is None:
        return [f"the report does not record the settings it was made with; {_COMPLETE}"]
    if settings_digest(settings) != data["tool"].get("config_digest"):
        return [
            "the report's recorded settings do not match its config_digest: it was changed after it "
            f"was made; {_COMPLETE}"
        ]
    from mbcheck.config import Config

    defaults = Config()
    weakened: list[str] = []
    select = list(settings["select"])
    if not _covers_all(select):
        weakened.append(f"only some rules selected (select: {_codes_text(select)})")
    if settings["ignore"]:
        weakened.append(f"rules ignored (ignore: {_codes_text(settings['ignore'])})")
    for glob, codes in sorted(settings["per_file_ignores"].items()):
        if codes:
            weakened.append(f"rules ignored in some files (per-file-ignores: {glob!r} = {_codes_text(codes)})")
    for name, table in sorted(settings["plugins"].items()):
        for key, what in (("ignore", "rules ignored for a plugin"),
                          ("ignore-unused-dependencies", "unused dependencies waived for a plugin")):
            values = table.get(key) or []
            if values:
                weakened.append(f"{what} (plugins.{name}.{key}: {_codes_text([str(v) for v in values])})")
    lowered = _lowered_severities(settings["severity"])
    if lowered:
        weakened.append(f"severities lowered (severity: {'; '.join(lowered)})")
    if settings["exclude"]:
        weakened.append(f"files excluded from analysis (exclude: {_codes_text(settings['exclude'])})")
    for key, unlimited in (("max_file_size", False), ("max_file_seconds", True), ("max_file_memory", True)):
        value, default = settings[key], getattr(defaults, key)
        if value < default and not (unlimited and value == 0):
            weakened.append(f"a lower limit ({key.replace('_', '-')}: {value}; the default is {default})")
    return [f"the report was made with {what}; {_COMPLETE}" for what in weakened]


def _findings(policy: Policy, entry: Mapping[str, Any]) -> list[str]:
    """The verdict, and each finding the policy blocks.

    Findings silenced by ``# mbcheck: ignore`` comments in the plugin's own
    source count like the others unless the policy honours suppressions: the
    verdict is then the worse of the report's and the one they make.
    """
    reasons: list[str] = []
    findings: list[Mapping[str, Any]] = list(entry["findings"])
    suppressed: list[Mapping[str, Any]] = [] if policy.honour_suppressions else list(entry.get("suppressed", ()))
    verdict = _worse(entry["verdict"], _verdict_of(suppressed))
    unhonoured = "suppressed in the source; the policy does not honour suppressions"
    if verdict == "fail":
        errors = sum(1 for f in findings if f["severity"] == "error")
        hidden = sum(1 for f in suppressed if f["severity"] == "error")
        detail = f"{errors + hidden} error{'s' if errors + hidden != 1 else ''}"
        reasons.append(f"the verdict is fail ({detail}" + (f", {hidden} of them {unhonoured})" if hidden else ")"))
    elif verdict == "warn" and not policy.allow_warn:
        hidden_note = f" (the warnings are {unhonoured})" if entry["verdict"] == "pass" else ""
        reasons.append(f"the verdict is warn and the policy does not admit warnings (allow-warn: false){hidden_note}")

    threshold = policy.block_severity.rank
    blocking: list[str] = []
    for finding in [*findings, *suppressed]:
        why = []
        if Severity(finding["severity"]).rank >= threshold:
            why.append(f"severity {finding['severity']} is at or above block-severity {policy.block_severity.value}")
        if policy.blocks_rule(finding["rule"]):
            why.append("the rule is in block-rules")
        comment = finding.get("suppressed_by")
        if why and isinstance(comment, Mapping):
            why.append(f"suppressed in the source at {_where(comment)}; the policy does not honour suppressions")
        if why:
            blocking.append(f"{finding['rule']} at {_where(finding)}: {finding['message']} ({'; '.join(why)})")
    reasons.extend(blocking[:MAX_LISTED_FINDINGS])
    if len(blocking) > MAX_LISTED_FINDINGS:
        reasons.append(f"and {len(blocking) - MAX_LISTED_FINDINGS} more blocking findings")
    return reasons


def _capped(reasons: list[str], what: str) -> list[str]:
    if len(reasons) <= MAX_LISTED_FINDINGS:
        return reasons
    return [*reasons[:MAX_LISTED_FINDINGS], f"and {len(reasons) - MAX_LISTED_FINDINGS} more {what}"]


#: reasons the gate judges on disk itself (:func:`_bytecode`), not from the report
_ON_DISK = frozenset({"unverified-bytecode", "foreign-bytecode"})


def _unanalysed(policy: Policy, entry: Mapping[str, Any]) -> list[str]:
    """Files the host could load that mbcheck did not analyse: not analysed, not admitted."""
    if policy.allow_unanalysed:
        return []
    if "not_analysed" not in entry:
        return [
            "the report does not say which files mbcheck did not analyse (it was made by an older mbcheck); "
            "check the plugin again, or set allow-unanalysed = true"
        ]
    from mbcheck.coverage import REASONS

    reasons = [
        f"`{item['path']}` was not analysed ({item['reason']}: {REASONS.get(item['reason'], 'unknown reason')}); "
        "the policy does not admit unanalysed code (allow-unanalysed: false)"
        for item in entry["not_analysed"]
        if item["reason"] not in _ON_DISK
    ]
    return _capped(reasons, "files not analysed")


def _bytecode(plugin: Path, entry: Mapping[str, Any]) -> list[str]:
    """Bytecode caches the host would run instead of their sources, checked as they are now
    (those the report already names as findings are not named twice)."""
    from mbcheck.bytecode import check_bytecode

    try:
        names, candidates, read, stat = _bytecode_candidates(plugin)
    except (OSError, DigestError):
        return []  # unreadable: the digest check already refuses it
    # a finding that already refuses the plugin (an error) names the same file
    reported = {f["path"] for f in entry["findings"] if f["rule"] == "MB008" and f["severity"] == "error"}
    problems = [problem for problem in check_bytecode(candidates, names, read, stat) if problem.path not in reported]
    return _capped([f"`{problem.path}`: {problem.message}" for problem in problems], "bytecode files")


def _bytecode_candidates(
    plugin: Path,
) -> tuple[set[str], list[str], Callable[[str], bytes | None], SourceStat | None]:
    """A plugin's files, its bytecode caches and a reader, from its directory or its archive."""
    if plugin.is_dir():
        from mbcheck.discovery import list_files

        listing = list_files(plugin)

        def read(rel: str) -> bytes | None:
            try:
                return (plugin / rel).read_bytes()
            except OSError:
                return None

        candidates = [rel for rel in listing.bytecode if not listing.in_environment(rel)]
        return set(listing.files), candidates, read, directory_stat(plugin)
    from mbcheck.archive.inspect import inspect_archive
    from mbcheck.bytecode import is_cache_file

    files = inspect_archive(plugin).files
    return set(files), [rel for rel in files if is_cache_file(rel)], files.get, None


_VERDICT_RANK = {"pass": 0, "warn": 1, "fail": 2}


def _verdict_of(findings: Sequence[Mapping[str, Any]]) -> str:
    severities = {f["severity"] for f in findings}
    return "fail" if "error" in severities else "warn" if "warning" in severities else "pass"


def _worse(first: str, second: str) -> str:
    return first if _VERDICT_RANK.get(first, 2) >= _VERDICT_RANK.get(second, 2) else second


def _permissions(policy: Policy, entry: Mapping[str, Any]) -> list[str]:
    """Code that uses more than its plugin declares; declared or used permissions the policy does not grant."""
    permissions = entry["permissions"]
    declared = set(permissions.get("declared", ()))
    inferred = set(permissions.get("inferred", ()))
    reasons: list[str] = []
    if policy.grant_declared:
        for name in sorted(inferred - declared):
            reasons.append(f"the plugin uses permission `{name}` but does not declare it")
        if policy.allow_permissions is None:
            return reasons
    allowed = policy.allow_permissions or frozenset()
    covered: set[str] = set(allowed)  # granted, or already reported
    for kind, verb in (("inferred", "uses"), ("declared", "declares")):
        for name in sorted(set(permissions.get(kind, ())) - covered):
            covered.add(name)
            reasons.append(f"the plugin {verb} permission `{name}`, which the policy does not grant")
    return reasons


__all__ = [
    "Decision",
    "GateError",
    "Policy",
    "PolicyError",
    "ReportError",
    "admit",
    "current_digest",
    "identity",
    "load_policy",
    "permission_vocabulary",
    "policy_from_mapping",
    "read_report",
    "validate_report",
]
