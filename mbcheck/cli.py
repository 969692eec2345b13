"""Command line: arguments -> Config -> engine -> reporter. The only place that prints."""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
import time
from dataclasses import dataclass
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
#: the values of --fail-on, --severity and --confidence
FAIL_ON = ("error", "warning", "info", "never")
SEVERITIES = ("error", "warning", "info")
CONFIDENCES = ("high", "medium", "low")


def _codes(values: list[str] | None) -> tuple[str, ...] | None:
    if not values:
        return None
    return tuple(code.strip().upper() for value in values for code in value.split(",") if code.strip())


class UsageError(typer.Exit):
    """Exit 2 after printing ``mbcheck: error: MESSAGE`` on stderr; the message is kept for SARIF."""

    def __init__(self, message: str) -> None:
        super().__init__(EXIT_ERROR)
        self.message = message


def _fail(message: str) -> UsageError:
    typer.echo(f"mbcheck: error: {message}", err=True)
    return UsageError(message)


def _codes_checked(values: list[str] | None, option: str) -> tuple[str, ...] | None:
    """The codes of a --select/--ignore option, each checked to name at least one rule."""
    from mbcheck.rules.selectors import SelectorError, check_selectors

    codes = _codes(values)
    try:
        check_selectors(codes or (), option)
    except SelectorError as exc:
        raise _fail(str(exc)) from None
    return codes


def _choice(value: str | None, option: str, choices: tuple[str, ...]) -> str | None:
    """An option's value from a fixed set, in any case (``--fail-on WARNING``)."""
    if value is None:
        return None
    folded = value.strip().lower()
    if folded not in choices:
        from mbcheck.documents.schema import did_you_mean

        hint = did_you_mean(folded, choices)
        raise _fail(f"{option} must be one of {', '.join(choices)} (got {value!r}){hint}")
    return folded


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
    sel = _codes_checked(select, "--select")
    extra = _codes_checked(extend_select, "--extend-select")
    ign = _codes_checked(ignore, "--ignore")
    if sel is not None or extra:
        config = config.with_overrides(select=(*(sel or config.select), *(extra or ())))
    if ign:
        config = config.with_overrides(ignore=(*config.ignore, *ign))
    fail_on = _choice(fail_on, "--fail-on", FAIL_ON)
    if fail_on is not None:
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
JobsOption = Annotated[int | None, typer.Option("--jobs", "-j", min=0, help="Worker processes (0 = all cores, 1 = in-process).")]
NoCacheOption = Annotated[bool, typer.Option("--no-cache", help="Do not read or write the result cache.")]


@app.command()
def lint(
    paths: Annotated[list[Path] | None, typer.Argument(help="Plugin directories, directories of plugins, bottle distributions, archives or single files; `-` reads one file from stdin (with --stdin-filename).")] = None,
    format: Annotated[str, typer.Option("--format", "--output-format", "-f", help="text, json, sarif or github (any case).")] = "text",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report to FILE instead of stdout.")] = None,
    fail_on: Annotated[str | None, typer.Option("--fail-on", help="Lowest severity that makes the exit code 1: error (default), warning, info or never.")] = None,
    exit_zero: Annotated[bool, typer.Option("--exit-zero", help="Exit 0 even when findings reach --fail-on (2 still means the run failed).")] = False,
    select: SelectOption = None,
    extend_select: ExtendSelectOption = None,
    ignore: IgnoreOption = None,
    severity: Annotated[str | None, typer.Option("--severity", help="Report only findings of this severity or higher: info, warning or error (as bandit's -l).")] = None,
    confidence: Annotated[str | None, typer.Option("--confidence", help="Report only findings of this confidence or higher: low, medium or high (as bandit's -i; findings without a confidence are kept).")] = None,
    exclude: Annotated[list[str] | None, typer.Option("--exclude", help="Globs of files not to analyse, replacing the config's `exclude` (repeatable).")] = None,
    extend_exclude: Annotated[list[str] | None, typer.Option("--extend-exclude", help="Globs of files not to analyse, added to the config's `exclude` (repeatable).")] = None,
    config_file: ConfigFileOption = None,
    isolated: IsolatedOption = False,
    show_settings: Annotated[bool, typer.Option("--show-settings", help="Print the resolved settings and where each came from (default, config file, profile, command line), then exit.")] = False,
    profile: ProfileNameOption = None,
    host_profile: HostProfileNameOption = None,
    jobs: JobsOption = None,
    no_cache: NoCacheOption = False,
    cache_dir: Annotated[Path | None, typer.Option("--cache-dir", help="Cache location.")] = None,
    baseline: Annotated[Path | None, typer.Option("--baseline", help="Report only findings not recorded in this baseline file.")] = None,
    advisories: Annotated[Path | None, typer.Option("--advisories", help="OSV JSON advisories to match declared requirements against.")] = None,
    statistics: Annotated[bool, typer.Option("--statistics", help="Instead of the findings, print how many each rule reported (count, code, name).")] = False,
    timings: Annotated[bool, typer.Option("--timings", help="Print timing and cache statistics to stderr.")] = False,
    stdin_filename: Annotated[Path | None, typer.Option("--stdin-filename", metavar="PATH", help="With `lint -`: the path of the file whose source stdin holds (its plugin is found from it; the file itself is not read).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print the report and errors only: no progress, notes or summary on stderr.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Also print where the settings came from and the timings on stderr.")] = False,
    sign: Annotated[Path | None, typer.Option("--sign", metavar="KEY", help="Sign the JSON report with this Ed25519 private key (`mbcheck keygen`); needs --format json.")] = None,
    color: Annotated[str, typer.Option("--color", help="Text output on a terminal: findings grouped per file with their source line, coloured by severity. auto (on a terminal; no colour when NO_COLOR is set), always, or never (no colour).")] = "auto",
    fix: Annotated[bool, typer.Option("--fix", help="Apply safe fixes in place, then report what is left (`lint -`: write the fixed source to stdout).")] = False,
    unsafe_fixes: Annotated[bool, typer.Option("--unsafe-fixes", help="Also apply (with --fix, --diff, --fix-only) or count as fixable the fixes that change behaviour or make a choice.")] = False,
    diff: Annotated[bool, typer.Option("--diff", help="Print the fixes as a unified diff and change nothing; exit 1 when there is a diff.")] = False,
    fix_only: Annotated[bool, typer.Option("--fix-only", help="Apply fixes like --fix, but do not report the findings that are left.")] = False,
    add_noqa: Annotated[bool, typer.Option("--add-noqa", help="Write a `# mbcheck: ignore[CODE]` comment on the line of every current finding (merged into an existing one).")] = False,
) -> None:
    """Check plugins and report findings; exit 1 when any reaches --fail-on."""
    chosen = (format or "text").strip().lower()
    try:
        _lint(
            paths or [], chosen, output, fail_on, exit_zero, select, extend_select, ignore, severity, confidence,
            exclude, extend_exclude, config_file, isolated, show_settings, profile, host_profile, jobs, no_cache,
            cache_dir, baseline, advisories, statistics, timings or verbose, stdin_filename, quiet, verbose, sign,
            color, FixMode(fix, unsafe_fixes, diff, fix_only, add_noqa),
        )
    except UsageError as exc:
        if chosen == "sarif" and not show_settings:
            # code scanning must see a failed run, not a clean one
            from mbcheck.reporters.sarif import render_failure

            with contextlib.suppress(typer.Exit):
                _write(render_failure([exc.message]), output)
        raise


def _lint(
    paths: list[Path],
    format: str,
    output: Path | None,
    fail_on: str | None,
    exit_zero: bool,
    select: list[str] | None,
    extend_select: list[str] | None,
    ignore: list[str] | None,
    severity: str | None,
    confidence: str | None,
    exclude: list[str] | None,
    extend_exclude: list[str] | None,
    config_file: Path | None,
    isolated: bool,
    show_settings: bool,
    profile: str | None,
    host_profile: str | None,
    jobs: int | None,
    no_cache: bool,
    cache_dir: Path | None,
    baseline: Path | None,
    advisories: Path | None,
    statistics: bool,
    timings: bool,
    stdin_filename: Path | None,
    quiet: bool,
    verbose: bool,
    sign: Path | None,
    color: str,
    fixing: FixMode | None = None,
) -> None:
    """`mbcheck lint`: every input checked before any work, then the run, then the report."""
    from mbcheck import reporters
    from mbcheck.config import ConfigError
    from mbcheck.engine import check_targets, failing, load_host_profile

    started = time.perf_counter()
    if format not in reporters.FORMATS:
        raise _fail(f"unknown format {format!r} (choose from {', '.join(reporters.FORMATS)})")
    if statistics and format not in ("text", "json"):
        raise _fail(f"--statistics prints text or json (got --format {format})")
    min_severity = _choice(severity, "--severity", SEVERITIES)
    min_confidence = _choice(confidence, "--confidence", CONFIDENCES)
    color = _color_choice(color)
    signing_key = _signing_key(sign, format) if sign is not None else None
    config = _load_config(config_file, profile, select, extend_select, ignore, fail_on, host_profile, isolated)
    if exclude is not None:
        config = config.with_overrides(exclude=tuple(exclude))
    if extend_exclude:
        config = config.with_overrides(exclude=(*config.exclude, *extend_exclude))
    if cache_dir is not None:
        config = config.with_overrides(cache_dir=str(cache_dir))
    if advisories is not None:
        from mbcheck.checks.deps.advisories import AdvisoryError, load_advisories

        try:
            load_advisories(advisories)  # a bad file is a usage error, before any work
        except AdvisoryError as exc:
            raise _fail(str(exc)) from None
        config = config.with_overrides(advisories=str(advisories))
    if show_settings:
        from mbcheck.settings import show

        sys.stdout.write(show(config, config_file=config_file, profile=profile, isolated=isolated, options=_given_options(
            select=select, extend_select=extend_select, ignore=ignore, fail_on=fail_on, host_profile=host_profile,
            exclude=exclude, extend_exclude=extend_exclude, cache_dir=cache_dir, advisories=advisories, jobs=jobs,
            no_cache=no_cache)))
        raise typer.Exit(EXIT_OK)
    accepted = None
    if baseline is not None:
        from mbcheck.baseline import load_baseline

        try:
            accepted = load_baseline(baseline)  # a bad file is a usage error, before any work
        except ValueError as exc:
            raise _fail(str(exc)) from None
    if verbose and not quiet:
        typer.echo(f"mbcheck: settings from {config.path or ('no file (--isolated)' if config.isolated else 'the defaults (no config file found)')}", err=True)
    stdin = [path for path in paths if str(path) == "-"]
    if stdin and (len(paths) > 1 or stdin_filename is None):
        raise _fail("`lint -` reads one file from stdin: give it alone, with --stdin-filename PATH (the file it stands for)")
    if stdin_filename is not None and not stdin:
        raise _fail("--stdin-filename names the file `lint -` reads from stdin; add `-` as the path")
    if not paths:
        raise _fail("no path to check: give plugin directories, archives or files (e.g. `mbcheck lint plugins/`)")
    fixing = fixing or FixMode()
    fixing.check(format, statistics, sign, baseline)
    progress = _progress() if sys.stderr.isatty() and not quiet and not fixing.changes else None
    try:
        if stdin_filename is not None:
            from mbcheck.discovery import discover_stdin

            discovery = discover_stdin(stdin_filename, sys.stdin.buffer.read())
        else:
            from mbcheck.discovery import discover

            discovery = discover(paths)
        nothing = discovery.nothing_to_check()
        if nothing is not None:
            # nothing to check at all: a usage error with a hint, before any work
            for error in discovery.errors[:-1]:
                typer.echo(f"mbcheck: error: {error}", err=True)
            raise _fail(nothing)
        if fixing.changes:
            report = _fix_run(fixing, discovery, config, jobs, no_cache, quiet)
            if report is None:
                return
        else:
            report = check_targets(discovery, config, load_host_profile(config.host_profile), jobs=jobs,
                                   use_cache=False if no_cache else None, progress=progress.update if progress else None)
    except ConfigError as exc:
        raise _fail(str(exc)) from None
    finally:
        if progress:
            progress.close()
    if not quiet:
        _warn_cache_unused(report)
    if stdin_filename is not None:
        report = _only_stdin_file(report, discovery)
    if accepted is not None:
        from mbcheck.baseline import filter_report

        report = filter_report(report, accepted, str(baseline))
    if min_severity is not None or min_confidence is not None:
        report = _at_least(report, min_severity, min_confidence)
    if signing_key is not None:
        _write(_signed_json(report, signing_key), output)
    elif statistics:
        _write(_statistics(report, format), output)
    else:
        from dataclasses import replace

        # input errors go to stderr (below), never into the text report; JSON and SARIF keep them
        shown = replace(report, errors=()) if format in ("text", "github") else report
        if format == "text":
            from mbcheck.reporters.text import render, style_for

            text = render(shown, style_for(sys.stdout if output is None else None, color), unsafe_fixes=fixing.unsafe)
            if stdin_filename is not None and fixing.fix and output is None:
                sys.stderr.write(text)  # stdout holds the fixed source
            else:
                _write(text, output)
        elif stdin_filename is not None and fixing.fix and output is None:
            sys.stderr.write(reporters.get(format)(shown))  # stdout holds the fixed source
        else:
            _write(reporters.get(format)(shown), output)
    if timings and not quiet:
        files = report.context.get("files", 0)
        hits = report.context.get("cache", {}).get("hits", 0)
        whole = "; the whole report from the cache" if report.context.get("cache", {}).get("run") else ""
        typer.echo(
            f"mbcheck: {_plural(len(report.plugins), 'plugin')}, {_plural(files, 'Python file')} "
            f"({hits} from the cache, {files - hits} analysed{whole}) "
            f"in {time.perf_counter() - started:.2f}s",
            err=True,
        )
    if output is not None and format != "text" and not quiet:
        summary = report.counts()
        typer.echo(
            f"mbcheck: {_plural(len(report.plugins), 'plugin')}, {_plural(summary['error'], 'error')}, "
            f"{_plural(summary['warning'], 'warning')} -> {output}",
            err=True,
        )
    for error in report.errors:
        typer.echo(f"mbcheck: error: {error}", err=True)
    if report.errors:
        raise typer.Exit(EXIT_ERROR)
    raise typer.Exit(EXIT_FINDINGS if failing(report, config.fail_on) and not exit_zero else EXIT_OK)


@app.command()
def server(
    config_file: ConfigFileOption = None,
    isolated: IsolatedOption = False,
    debounce: Annotated[int, typer.Option("--debounce", metavar="MS", min=0, help="Milliseconds a change waits for the next one before the plugin is analysed again.")] = 150,
    log_timings: Annotated[bool, typer.Option("--log-timings", help="Log, for every analysis, the milliseconds from its start (after the debounce) to the diagnostics being published (window/logMessage).")] = False,
) -> None:
    """Language server over stdin/stdout for editors: diagnostics, quick fixes and rule docs on hover."""
    try:
        from mbcheck.lsp.server import main as serve
    except ImportError as exc:
        raise _fail(f"the language server needs pygls and lsprotocol ({exc}); install them: pip install 'pygls>=2.1,<3'") from None
    serve(config_file=config_file, isolated=isolated, debounce=debounce / 1000,
          log_timings=log_timings or bool(os.environ.get("MBCHECK_LSP_TIMINGS")))


@dataclass(frozen=True)
class FixMode:
    """What `lint` is asked to do with the fixes findings carry (ruff's flags)."""

    fix: bool = False
    unsafe: bool = False
    diff: bool = False
    fix_only: bool = False
    add_noqa: bool = False

    @property
    def changes(self) -> bool:
        """Whether the run computes changes to files (rather than only reporting)."""
        return self.fix or self.diff or self.fix_only or self.add_noqa

    def check(self, format: str, statistics: bool, sign: Path | None, baseline: Path | None) -> None:
        """Usage errors of the fix options, before any work."""
        modes = [name for name, on in (("--fix", self.fix or self.fix_only), ("--diff", self.diff), ("--add-noqa", self.add_noqa)) if on]
        if len(modes) > 1:
            raise _fail(f"{' and '.join(modes)} cannot be combined: choose one")
        if self.changes and (statistics or sign is not None):
            raise _fail(f"{modes[0]} cannot be combined with {'--statistics' if statistics else '--sign'}")
        if self.add_noqa and baseline is not None:
            raise _fail("--add-noqa writes a comment on every current finding; it cannot be combined with --baseline")


def _fix_run(fixing: FixMode, discovery: Any, config: Any, jobs: int | None, no_cache: bool, quiet: bool) -> Any:
    """Fix (or add suppression comments) as asked; the report of what is left, or None when
    nothing more is to be reported (--diff, --fix-only, --add-noqa exit here)."""
    from mbcheck.engine import load_host_profile
    from mbcheck.fix import fix_targets, write_changes

    host = load_host_profile(config.host_profile)
    use_cache = False if no_cache else None
    if fixing.add_noqa:
        from mbcheck.noqa import add_noqa

        added = add_noqa(discovery, config, host, jobs=jobs, use_cache=use_cache)
        for problem in added.refused:
            typer.echo(f"mbcheck: warning: {problem}", err=True)
        problems = write_changes(added.changes)
        for problem in problems:
            typer.echo(f"mbcheck: error: {problem}", err=True)
        if not quiet:
            typer.echo(f"mbcheck: added {_plural(added.comments, 'suppression comment')} "
                       f"in {_plural(len(added.changes), 'file')}", err=True)
        raise typer.Exit(EXIT_ERROR if problems else EXIT_OK)
    result = fix_targets(discovery, config, host, unsafe=fixing.unsafe, jobs=jobs, use_cache=use_cache)
    for problem in result.refused:
        typer.echo(f"mbcheck: warning: fix not applied: {problem}", err=True)
    stdin = next((target.stdin for target in discovery.targets if target.stdin), None)
    if fixing.diff:
        sys.stdout.write("".join(change.diff() for change in result.changes))
        sys.stdout.flush()
        if not quiet:
            typer.echo(f"mbcheck: would fix {_plural(result.fixed, 'finding')} in {_plural(len(result.changes), 'file')}", err=True)
        raise typer.Exit(EXIT_FINDINGS if result.changes else EXIT_OK)
    if stdin is not None:
        fixed = next((change.after for change in result.changes if change.path == stdin[0]), stdin[1])
        sys.stdout.buffer.write(fixed)
        sys.stdout.flush()
    else:
        problems = write_changes(result.changes)
        for problem in problems:
            typer.echo(f"mbcheck: error: {problem}", err=True)
        if problems:
            raise typer.Exit(EXIT_ERROR)
    if not quiet:
        typer.echo(f"mbcheck: fixed {_plural(result.fixed, 'finding')} in {_plural(len(result.changes), 'file')}", err=True)
    if fixing.fix_only:
        raise typer.Exit(EXIT_OK)
    return result.report


def _only_stdin_file(report: Any, discovery: Any) -> Any:
    """The report of `lint -`: only the findings located in the file stdin stands for (what an editor shows)."""
    from dataclasses import replace

    from mbcheck.model import verdict_for

    wanted = {target.stdin[0] for target in discovery.targets if target.stdin}
    plugins = []
    for plugin in report.plugins:
        findings = tuple(f for f in plugin.findings if f.span.path in wanted)
        plugins.append(replace(plugin, findings=findings, verdict=verdict_for(findings)))
    return replace(report, plugins=tuple(plugins))


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _given_options(**values: Any) -> dict[str, Any]:
    """The lint options given on the command line (None, False and empty left out)."""
    return {name: value for name, value in values.items() if value not in (None, False, [], ())}


def _at_least(report: Any, severity: str | None, confidence: str | None) -> Any:
    """``report`` with only the findings at or above ``severity`` and ``confidence`` (verdicts follow)."""
    from dataclasses import replace

    from mbcheck.model import Confidence, Severity, verdict_for

    lowest = Severity(severity).rank if severity else 0
    order = {Confidence.LOW: 1, Confidence.MEDIUM: 2, Confidence.HIGH: 3}
    least = order[Confidence(confidence)] if confidence else 0

    def kept(finding: Any) -> bool:
        sure = finding.confidence is None or order[finding.confidence] >= least
        return bool(finding.severity.rank >= lowest and sure)

    plugins = []
    for plugin in report.plugins:
        findings = tuple(f for f in plugin.findings if kept(f))
        plugins.append(replace(plugin, findings=findings, verdict=verdict_for(findings)))
    return replace(report, plugins=tuple(plugins))


def _statistics(report: Any, format: str) -> str:
    """How many findings each rule reported, most first (ruff's `--statistics`)."""
    import json
    from collections import Counter

    counts = Counter(finding.rule for _plugin, finding in report.findings())
    names = {finding.rule: finding.name for _plugin, finding in report.findings()}
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    if format == "json":
        return json.dumps([{"code": code, "name": names[code], "count": count} for code, count in rows], indent=2) + "\n"
    width = max((len(str(count)) for _code, count in rows), default=1)
    code_width = max((len(code) for code, _count in rows), default=1)
    return "".join(f"{count:>{width}}  {code:<{code_width}}  {names[code]}\n" for code, count in rows)


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
            from rich.console import Console
            from rich.progress import Progress

            # stderr: stdout carries only the report
            self._bar = Progress(console=Console(stderr=True), transient=True)
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


def _wants_workers(args: list[str]) -> bool:
    """Whether a command line is a `lint` run that analyses files in worker processes
    (read before the full parse: see :func:`main`)."""
    if not args or args[0] != "lint" or any(a in ("-", "-h", "--help") for a in args):
        return False
    for index, arg in enumerate(args):
        value = None
        if arg in ("-j", "--jobs") and index + 1 < len(args):
            value = args[index + 1]
        elif arg.startswith("--jobs="):
            value = arg[len("--jobs="):]
        elif arg.startswith("-j") and arg[2:].isdigit():
            value = arg[2:]
        if value is not None and value.strip() == "1":
            return False
    return True


def main() -> None:
    if _wants_workers(sys.argv[1:]):
        # a worker starts loading the parser and the rules now, while the arguments,
        # the config and the plan are read here (it is stopped if the run needs none)
        from mbcheck.engine import prestart_worker

        prestart_worker()
    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("mbcheck: interrupted\n")
        sys.exit(130)


def entry() -> None:
    """The ``mbcheck`` console script: :func:`main`, then the process ends without the
    interpreter's teardown (freeing every object one at a time takes longer than a whole
    cached run). Output is flushed and exit handlers run (workers stopped) first; an
    error that is not an exit is left to Python as usual."""
    try:
        main()
        code = 0
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:
            sys.stderr.write(f"{exc.code}\n")
            code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`mbcheck lint . | head`)
            code = code or 1
    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)
    if run_exit_handlers is None:  # not CPython: the usual exit
        sys.exit(code)
    run_exit_handlers()
    os._exit(code)


if __name__ == "__main__":
    main()
