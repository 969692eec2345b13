"""Command line: arguments -> Config -> engine -> reporter. The only place that prints."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from mbcheck import __version__
from mbcheck.signing import DEFAULT_KEY_FILE

app = typer.Typer(
    name="mbcheck",
    help="Static checks for MilkBottle plugins: security, compatibility, dependencies, manifest and interface. "
    "Never imports or runs the code it checks.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _codes(values: list[str] | None) -> tuple[str, ...] | None:
    if not values:
        return None
    return tuple(code.strip().upper() for value in values for code in value.split(",") if code.strip())


def _fail(message: str) -> typer.Exit:
    typer.echo(f"mbcheck: error: {message}", err=True)
    return typer.Exit(EXIT_ERROR)


def _warn_cache_unused(report: Any) -> None:
    """Say once, on stderr, why the cache was wanted but not used (the run went on without it)."""
    reason = report.context.get("cache", {}).get("disabled")
    if reason:
        typer.echo(f"mbcheck: warning: cache not used: {reason}", err=True)


def _write(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise _fail(f"cannot write {output}: {exc.strerror or exc}") from None


def _version(value: bool) -> None:
    if value:
        typer.echo(f"mbcheck {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """mbcheck: the static gate for MilkBottle plugins."""


def _load_config(
    config_file: Path | None,
    profile: str | None,
    select: list[str] | None,
    extend_select: list[str] | None,
    ignore: list[str] | None,
    fail_on: str | None,
    host_profile: str | None,
    isolated: bool = False,
) -> Any:
    """The run's config: --config FILE, else the one found from the current directory
    upwards (never from the checked paths: a checked plugin cannot configure its own check);
    none with --isolated. Then the command line's options on top."""
    from mbcheck.config import ConfigError, load

    try:
        cwd = Path.cwd() if config_file is None and not isolated else None
    except OSError as exc:
        raise _fail(f"cannot find the current directory to read the config from: {exc.strerror or exc}; "
                    "run mbcheck from an existing directory, or pass --isolated or --config FILE") from None
    try:
        config = load(config_file, cwd=cwd, profile=profile, isolated=isolated)
    except ConfigError as exc:
        raise _fail(str(exc)) from None
    sel = _codes(select)
    extra = _codes(extend_select)
    ign = _codes(ignore)
    if sel is not None or extra:
        config = config.with_overrides(select=(*(sel or config.select), *(extra or ())))
    if ign:
        config = config.with_overrides(ignore=(*config.ignore, *ign))
    if fail_on is not None:
        if fail_on not in ("error", "warning", "info", "never"):
            raise _fail(f"--fail-on must be error, warning, info or never (got {fail_on!r})")
        config = config.with_overrides(fail_on=fail_on)
    if host_profile is not None:
        from mbcheck.config import canonical_host_profile

        config = config.with_overrides(host_profile=canonical_host_profile(host_profile))
    return config


#: options `lint` and `baseline` share
SelectOption = Annotated[list[str] | None, typer.Option("--select", help="Only these rule codes or prefixes (comma-separated).")]
ExtendSelectOption = Annotated[list[str] | None, typer.Option("--extend-select", help="Add rule codes or prefixes to the selection.")]
IgnoreOption = Annotated[list[str] | None, typer.Option("--ignore", help="Never report these codes or prefixes.")]
ConfigFileOption = Annotated[Path | None, typer.Option("--config", help="Config file: mbcheck.toml, or pyproject.toml with [tool.mbcheck] (default: the first one found from the current directory upwards; never one inside a checked plugin).")]
IsolatedOption = Annotated[bool, typer.Option("--isolated", help="Read no config file at all: the defaults and the command line's options only.")]
ProfileNameOption = Annotated[str | None, typer.Option("--profile", help="Context profile: pre-commit, ci, publish, or one from the config.")]
HostProfileNameOption = Annotated[str | None, typer.Option("--host-profile", help="Host profile name or JSON file.")]
JobsOption = Annotated[int | None, typer.Option("--jobs", "-j", help="Worker processes (0 = all cores, 1 = in-process).")]
NoCacheOption = Annotated[bool, typer.Option("--no-cache", help="Do not read or write the result cache.")]


@app.command()
def lint(
    paths: Annotated[list[Path], typer.Argument(help="Plugin directories, directories of plugins, bottle distributions, archives or single files.")],
    format: Annotated[str, typer.Option("--format", "-f", help="text, json, sarif or github.")] = "text",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report to FILE instead of stdout.")] = None,
    fail_on: Annotated[str | None, typer.Option("--fail-on", help="Lowest severity that makes the exit code 1: error (default), warning, info or never.")] = None,
    select: SelectOption = None,
    extend_select: ExtendSelectOption = None,
    ignore: IgnoreOption = None,
    config_file: ConfigFileOption = None,
    isolated: IsolatedOption = False,
    profile: ProfileNameOption = None,
    host_profile: HostProfileNameOption = None,
    jobs: JobsOption = None,
    no_cache: NoCacheOption = False,
    cache_dir: Annotated[Path | None, typer.Option("--cache-dir", help="Cache location.")] = None,
    baseline: Annotated[Path | None, typer.Option("--baseline", help="Report only findings not recorded in this baseline file.")] = None,
    advisories: Annotated[Path | None, typer.Option("--advisories", help="OSV JSON advisories to match declared requirements against.")] = None,
    statistics: Annotated[bool, typer.Option("--statistics", help="Print timing and cache statistics to stderr.")] = False,
    sign: Annotated[Path | None, typer.Option("--sign", metavar="KEY", help="Sign the JSON report with this Ed25519 private key (`mbcheck keygen`); needs --format json.")] = None,
    color: Annotated[str, typer.Option("--color", help="Text output on a terminal: findings grouped per file with their source line, coloured by severity. auto (on a terminal; no colour when NO_COLOR is set), always, or never (no colour).")] = "auto",
) -> None:
    """Check plugins and report findings; exit 1 when any reaches --fail-on."""
    from mbcheck import reporters
    from mbcheck.config import ConfigError
    from mbcheck.engine import check, failing

    started = time.perf_counter()
    if format not in reporters.FORMATS:
        raise _fail(f"unknown format {format!r} (choose from {', '.join(reporters.FORMATS)})")
    color = _color_choice(color)
    signing_key = _signing_key(sign, format) if sign is not None else None
    config = _load_config(config_file, profile, select, extend_select, ignore, fail_on, host_profile, isolated)
    if cache_dir is not None:
        config = config.with_overrides(cache_dir=str(cache_dir))
    if advisories is not None:
        from mbcheck.checks.deps.advisories import AdvisoryError, load_advisories

        try:
            load_advisories(advisories)  # a bad file is a usage error, before any work
        except AdvisoryError as exc:
            raise _fail(str(exc)) from None
        config = config.with_overrides(advisories=str(advisories))
    progress = _progress() if sys.stderr.isatty() and format == "text" and output is None else None
    try:
        report = check(paths, config, jobs=jobs, use_cache=False if no_cache else None,
                       progress=progress.update if progress else None)
    except ConfigError as exc:
        raise _fail(str(exc)) from None
    finally:
        if progress:
            progress.close()
    _warn_cache_unused(report)
    if baseline is not None:
        try:
            from mbcheck.baseline import apply_baseline
        except ImportError:
            raise _fail("baselines are not supported by this installation") from None
        try:
            report = apply_baseline(report, baseline)
        except ValueError as exc:
            raise _fail(str(exc)) from None
    if signing_key is not None:
        _write(_signed_json(report, signing_key), output)
    elif format == "text":
        from mbcheck.reporters.text import render, style_for

        _write(render(report, style_for(sys.stdout if output is None else None, color)), output)
    else:
        _write(reporters.get(format)(report), output)
    if statistics:
        files = report.context.get("files", 0)
        hits = report.context.get("cache", {}).get("hits", 0)
        whole = "; the whole report from the cache" if report.context.get("cache", {}).get("run") else ""
        typer.echo(
            f"mbcheck: {len(report.plugins)} plugins, {files} Python files "
            f"({hits} from the cache, {files - hits} analysed{whole}) "
            f"in {time.perf_counter() - started:.2f}s",
            err=True,
        )
    if output is not None and format != "text":
        summary = report.counts()
        typer.echo(
            f"mbcheck: {len(report.plugins)} plugins, {summary['error']} errors, {summary['warning']} warnings -> {output}",
            err=True,
        )
    for error in report.errors:
        if format != "text":
            typer.echo(f"mbcheck: error: {error}", err=True)
    if report.errors:
        raise typer.Exit(EXIT_ERROR)
    raise typer.Exit(EXIT_FINDINGS if failing(report, config.fail_on) else EXIT_OK)


def _color_choice(value: str) -> str:
    """--color's value (any case); a usage error otherwise."""
    from mbcheck.reporters.text import COLOR_CHOICES

    choice = value.strip().lower()
    if choice not in COLOR_CHOICES:
        raise _fail(f"--color must be {', '.join(COLOR_CHOICES[:-1])} or {COLOR_CHOICES[-1]} (got {value!r})")
    return choice


def _signing_key(path: Path, format: str) -> Any:
    """The private key of ``lint --sign``, read before any work; a usage error when unusable."""
    if format != "json":
        raise _fail(f"--sign signs JSON reports only; add --format json (got --format {format})")
    from mbcheck.signing import KeyFileError, load_private_key

    try:
        return load_private_key(path)
    except KeyFileError as exc:
        raise _fail(f"--sign: {exc}") from None


def _signed_json(report: Any, key: Any) -> str:
    """The JSON report as the json reporter writes it, with its ``signature`` member."""
    import json

    from mbcheck.reporters import get
    from mbcheck.signing import SigningError, sign_report

    data = json.loads(get("json")(report))  # exactly the data a reader of the file will parse
    try:
        signed = sign_report(data, key)
    except SigningError as exc:
        raise _fail(f"cannot sign the report: {exc}") from None
    return json.dumps(signed, indent=2) + "\n"


class _progress:
    """A progress bar on stderr for long runs on a terminal."""

    def __init__(self) -> None:
        self._bar: Any = None
        self._task: Any = None

    def update(self, done: int, total: int) -> None:
        if total < 50:
            return
        if self._bar is None:
            from rich.progress import Progress

            self._bar = Progress(transient=True)
            self._bar.start()
            self._task = self._bar.add_task("analysing", total=total)
        self._bar.update(self._task, completed=done)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()


@app.command("rules")
def list_rules(
    format: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
) -> None:
    """List every rule: code, name, category, default severity, summary."""
    import json

    from mbcheck.rules import all_rules

    rows = [
        {
            "code": code,
            "name": rule.name,
            "category": rule.category.value,
            "severity": rule.severity.value,
            "other_severities": {s.value: why for s, why in rule.other_severities.items()},
            "summary": rule.docs().summary,
        }
        for code, rule in all_rules().items()
    ]
    if format == "json":
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    if format != "text":
        raise _fail(f"unknown format {format!r} (choose from text, json)")
    columns = ("code", "name", "category", "severity")
    widths = {key: max(len(str(row[key])) for row in rows) for key in columns}
    for row in rows:
        cells = " ".join(f"{row[key]:<{widths[key]}}" for key in columns)
        sys.stdout.write(f"{cells} {row['summary']}\n")


@app.command()
def explain(code: Annotated[str, typer.Argument(help="A rule code, e.g. MB102 or B602.")]) -> None:
    """Print a rule's documentation and examples."""
    from mbcheck.rules import all_rules
    from mbcheck.rules.docs import explain_lines

    rules = all_rules()
    rule = rules.get(code.strip().upper())
    if rule is None:
        raise _fail(f"unknown rule code {code!r}; `mbcheck rules` lists them")
    sys.stdout.write("\n".join(explain_lines(rule)) + "\n")


@app.command()
def verify(
    plugin: Annotated[Path, typer.Argument(help="The plugin directory (or archive) the host is about to load.")],
    report: Annotated[Path, typer.Argument(help="Its JSON report (`mbcheck lint --format json`).")],
    policy: Annotated[Path | None, typer.Option("--policy", help="Load policy file (TOML or YAML; schemas/policy.schema.json). Default: no permissions, errors block.")] = None,
    trust: Annotated[list[Path] | None, typer.Option("--trust", metavar="PUBKEY", help="Accept only a report signed by this Ed25519 public key (the .pub file of `mbcheck keygen`); repeatable.")] = None,
) -> None:
    """Decide whether a host may load PLUGIN: exit 0 admitted, 1 refused (reasons printed), 2 bad input."""
    from mbcheck.gate import GateError, Policy, admit, load_policy, read_report

    try:
        data = read_report(report)
        rules = load_policy(policy) if policy is not None else Policy()
        decision = admit(plugin, data, rules, trusted_keys=trust or ())
    except GateError as exc:
        raise _fail(str(exc)) from None
    if not decision.authenticated and not (trust or rules.trusted_keys or rules.require_signature):
        typer.echo(
            f"mbcheck: note: {report} was not authenticated (anyone can write a report); "
            "to accept only reports you signed, pass --trust PUBKEY (see `mbcheck keygen`)",
            err=True,
        )
    if decision.allowed:
        typer.echo(f"admitted: {plugin}")
        raise typer.Exit(EXIT_OK)
    typer.echo(f"refused: {plugin}")
    for reason in decision.reasons:
        typer.echo(f"  - {reason}")
    raise typer.Exit(EXIT_FINDINGS)


@app.command()
def keygen(
    output: Annotated[Path, typer.Option("--output", "-o", help="The private key file to write; the public key goes to FILE.pub.")] = Path(DEFAULT_KEY_FILE),
    force: Annotated[bool, typer.Option("--force", help="Replace existing key files.")] = False,
) -> None:
    """Write an Ed25519 key pair for signing reports (FILE, mode 0600, and FILE.pub); print its key id."""
    from mbcheck.signing import KeyFileError, generate_key

    try:
        pair = generate_key(output, force=force)
    except KeyFileError as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"key id: {pair.key_id}")
    typer.echo(f"private key: {pair.private_path} (keep it secret: `mbcheck lint -f json --sign {pair.private_path}`)")
    typer.echo(f"public key: {pair.public_path} (give it to hosts: `mbcheck verify --trust {pair.public_path}`)")


@app.command("baseline")
def record_baseline(
    paths: Annotated[list[Path], typer.Argument(help="Plugin directories, directories of plugins, bottle distributions or archives.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Baseline file to write.")] = Path(".mbcheck-baseline.json"),
    config_file: ConfigFileOption = None,
    isolated: IsolatedOption = False,
    profile: ProfileNameOption = None,
    host_profile: HostProfileNameOption = None,
    select: SelectOption = None,
    extend_select: ExtendSelectOption = None,
    ignore: IgnoreOption = None,
    jobs: JobsOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """Record current findings, so `lint --baseline FILE` reports only new ones."""
    from mbcheck.baseline import write_baseline
    from mbcheck.config import ConfigError
    from mbcheck.engine import check

    config = _load_config(config_file, profile, select, extend_select, ignore, None, host_profile, isolated)
    try:
        report = check(paths, config, jobs=jobs, use_cache=False if no_cache else None)
    except ConfigError as exc:
        raise _fail(str(exc)) from None
    _warn_cache_unused(report)
    if report.errors:
        for error in report.errors:
            typer.echo(f"mbcheck: error: {error}", err=True)
        raise _fail(f"baseline not written to {output}")
    try:
        recorded = write_baseline(report, output)
    except OSError as exc:
        raise _fail(f"cannot write {output}: {exc.strerror or exc}") from None
    total = sum(entry.count for entry in recorded.entries)
    typer.echo(
        f"mbcheck: recorded {total} finding{'s' if total != 1 else ''} of {len(report.plugins)} "
        f"plugin{'s' if len(report.plugins) != 1 else ''} -> {output}",
        err=True,
    )


@app.command("host-profile")
def host_profile_command(
    path: Annotated[Path, typer.Argument(help="A MilkBottle checkout (pyproject.toml + src/milkbottle/), an unpacked sdist, "
                                              "or a site-packages directory holding milkbottle/ and its .dist-info.")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the profile to FILE instead of stdout.")] = None,
    commit: Annotated[str | None, typer.Option("--commit", help="The host commit to record (default: read from PATH/.git).")] = None,
    name: Annotated[str | None, typer.Option("--name", help="The profile name (default: milkbottle-VERSION-COMMIT7).")] = None,
) -> None:
    """Write the host profile of a MilkBottle tree, read statically (the host is never imported or run)."""
    import re

    from mbcheck.hostprofile import HostProfileError, generate, render

    if commit is not None and not re.fullmatch(r"[0-9a-f]{7,40}", commit):
        raise _fail(f"--commit must be a hexadecimal commit id (got {commit!r})")
    words = ["mbcheck", "host-profile", str(path)]
    if commit is not None:
        words += ["--commit", commit]
    if name is not None:
        words += ["--name", name]
    if output is not None:
        words += ["-o", str(output)]
    try:
        profile = generate(path, commit=commit, name=name, command=" ".join(words), generator=f"mbcheck {__version__}")
    except HostProfileError as exc:
        raise _fail(str(exc)) from None
    _write(render(profile), output)
    if output is not None:
        undeclared = ", ".join(profile["environment"]["undeclared"]) or "none"
        typer.echo(
            f"mbcheck: host profile {profile['name']} (MilkBottle {profile['milkbottle_version']}, "
            f"{len(profile['public_api'])} public modules; imported but not required: {undeclared}) -> {output}",
            err=True,
        )


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("mbcheck: interrupted\n")
        sys.exit(130)


if __name__ == "__main__":
    main()
