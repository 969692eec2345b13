"""Rule documentation: what ``mbcheck explain`` prints and the pages under ``docs/rules/``.

Both come from the rule classes (docstring, severities, VALID/INVALID examples) through
the same functions here, so the terminal and the pages show the same examples:

- :func:`example_files` chooses what to show of an example: the files it brings that hold
  something (never the minimal manifest or the empty ``__init__.py`` added for it), an
  archive's entries listed from memory (never extracted);
- :func:`mbcheck.display.printable` escapes control and other invisible characters
  (``\\x00``) so neither a terminal nor a page receives them raw;
- :func:`render_page` / :func:`render_index` write ``docs/rules/CODE.md`` and
  ``docs/rules/README.md``.

Maintainers regenerate the pages with ``python -m mbcheck.rules.docs`` (``--check`` says
whether the committed pages are current; a test does the same).
"""

from __future__ import annotations

import argparse
import io
import stat
import sys
import tarfile
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from mbcheck.display import printable
from mbcheck.rules.base import EXAMPLE_MANIFEST, Example, ExternalRule, Rule
from mbcheck.rules.catalog import help_uri

#: where the pages live, relative to the repository root
DOCS_DIR = Path("docs") / "rules"

#: a file's language for a Markdown code fence, by suffix
_FENCES = {".py": "python", ".yaml": "yaml", ".yml": "yaml", ".toml": "toml", ".json": "json", ".cfg": "ini"}


@dataclass(frozen=True)
class ShownFile:
    """One file of an example as it is shown: its name, printable text and fence language."""

    name: str
    text: str
    language: str
    #: True when ``text`` had characters escaped by :func:`printable`
    escaped: bool = False


def archive_entries(data: bytes) -> list[str]:
    """The entries of an example archive held in ``data``, listed from memory (never extracted)."""

    def shown(name: str) -> str:
        return printable(name)[0]

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        pass
    else:
        lines = [
            shown(info.orig_filename)
            + (" (symbolic link" if stat.S_ISLNK(info.external_attr >> 16) else f" ({info.file_size} bytes")
            + (", encrypted)" if info.flag_bits & 0x1 else ")")
            for info in infos
        ]
        first = min((info.header_offset for info in infos), default=0)
        if first > 0:
            lines.insert(0, f"({first} bytes of other data before the first entry)")
        end = data.rfind(b"PK\x05\x06")
        declared = int.from_bytes(data[end + 10 : end + 12], "little") if end >= 0 else len(infos)
        if declared != len(infos):
            lines.append(f"(the end record declares {declared} members)")
        return lines or ["(no entries)"]
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as tf:
            kinds = {tarfile.SYMTYPE: "symbolic link to", tarfile.LNKTYPE: "hard link to", tarfile.FIFOTYPE: "FIFO"}
            return [
                shown(info.name)
                + (f" ({info.size} bytes)" if info.isreg() else f" ({kinds.get(info.type, 'special file')} {shown(info.linkname)})".replace(" )", ")"))
                for info in tf.getmembers()
            ] or ["(no entries)"]
    except (tarfile.TarError, OSError, ValueError, EOFError):
        pass
    return [f"(not a readable archive: {len(data)} bytes)"]


def example_files(example: Example) -> tuple[ShownFile, ...]:
    """What to show of an example: an archive's entries, else the files the example brings
    that hold something, the reported file first. Never empty: an example whose files are all
    empty shows its file as ``(empty file)``."""
    if example.archive is not None:
        listing = "\n".join(archive_entries(example.archive))
        return (ShownFile(f"{example.archive_name} (archive entries)", listing, "text"),)
    files = example.plugin_files()
    brought = dict(example.files)
    if example.code or example.path not in brought:
        brought[example.path] = example.code
    names = [example.path, *(name for name in brought if name != example.path)]
    shown: list[ShownFile] = []
    for name in names:
        content = files.get(name, "")
        if not content or (name == "plugin.yaml" and name not in example.files and content == EXAMPLE_MANIFEST):
            continue
        text, escaped = printable(content)
        suffix = Path(name).suffix.lower()
        language = _FENCES.get(suffix, "text")
        if name.endswith(("requirements.txt", ".pth")) or suffix in ("", ".txt"):
            language = "text"
        shown.append(ShownFile(name, text, language, escaped))
    if not shown:
        shown.append(ShownFile(example.path, "(empty file)", "text"))
    return tuple(shown)


def excerpt(text: str, *, max_lines: int, max_chars: int) -> str:
    """``text`` cut to ``max_lines`` lines and ``max_chars`` characters, saying how much was left out."""
    lines = text.rstrip("\n").splitlines() or [""]
    kept = lines[:max_lines]
    body = "\n".join(kept)
    if len(body) > max_chars:
        body = body[:max_chars].rstrip() + " …"
        kept = body.splitlines()
    left = len(lines) - len(kept)
    if left > 0:
        body += f"\n… ({left} more line{'s' if left != 1 else ''})"
    return body


def settings_note(example: Example) -> str:
    """The settings an example runs with, as a config would write them (paths relative to the plugin)."""
    return ", ".join(f'{key} = "{value.replace("{root}/", "")}"' for key, value in sorted(example.config.items()))


def explain_lines(rule: type[Rule]) -> list[str]:
    """``mbcheck explain CODE``: the rule's documentation and up to two examples of each kind."""
    docs = rule.docs()
    out = [f"{rule.code} {rule.name} ({rule.category.value}, default severity {rule.severity.value})", ""]
    out.append(printable(docs.what)[0])
    if rule.other_severities:
        out += ["", "Severity:", f"{rule.severity.value} by default;"]
        out += [f"{severity.value} when {why}" for severity, why in rule.other_severities.items()]
    if docs.why:
        out += ["", "Why:", printable(docs.why)[0]]
    if docs.instead:
        out += ["", "Instead:", printable(docs.instead)[0]]
    for title, examples in (("Flagged", rule.INVALID), ("Fine", rule.VALID)):
        for example in examples[:2]:
            for number, shown in enumerate(example_files(example)):
                notes = [settings_note(example)] if example.config and number == 0 else []
                if shown.escaped:
                    notes.append("invisible characters shown as escapes")
                heading = f"{title} ({shown.name}{'; ' + '; '.join(notes) if notes else ''}):"
                body = excerpt(shown.text, max_lines=20, max_chars=600)
                out += ["", heading, *("    " + line if line else "" for line in body.splitlines())]
    out.append("")
    out.append(f"Documentation: {help_uri(rule.code)}")
    return out


def _severities(rule: type[Rule]) -> list[str]:
    lines = [f"- `{rule.severity.value}` by default"]
    lines += [f"- `{severity.value}` when {why}" for severity, why in rule.other_severities.items()]
    return lines


def _examples_markdown(examples: Sequence[Example], *, flagged: bool) -> list[str]:
    """Each example as a bold line saying what mbcheck does with it, then its files."""
    out: list[str] = []
    for example in examples:
        if flagged:
            where = example.path or example.archive_name
            place = f"`{where}:{example.line}`" if example.line is not None else f"`{where}`"
            if example.archive is not None and example.path:
                place += f" in `{example.archive_name}`"
            lead = f"**Reported at {place}**"
        else:
            lead = "**Not reported**"
        if example.config:
            lead += f", with the settings `{settings_note(example)}`"
        out += [lead + ":", ""]
        for shown in example_files(example):
            caption = f"`{shown.name}`" + (" (invisible characters shown as escapes)" if shown.escaped else "")
            body = excerpt(shown.text, max_lines=40, max_chars=2000)
            fence = "````" if "```" in body else "```"
            out += [f"{caption}:", "", f"{fence}{shown.language}", body, fence, ""]
        fixed = example.fixed_files() if flagged else None
        if fixed:
            out += ["**Fixed** (`mbcheck lint --fix`; `--unsafe-fixes` for a fix that changes behaviour):", ""]
            for name, text in fixed.items():
                body = excerpt(text, max_lines=40, max_chars=2000)
                fence = "````" if "```" in body else "```"
                language = {"py": "python", "yaml": "yaml", "yml": "yaml", "toml": "toml"}.get(name.rsplit(".", 1)[-1], "")
                out += [f"`{name}`:", "", f"{fence}{language}", body, fence, ""]
    return out


def _text(markdown: str) -> str:
    """A docs paragraph for a page: printable, starting with a capital (docstrings write
    ``Why: the host ...``)."""
    text = printable(markdown)[0]
    return text[:1].upper() + text[1:]


def render_page(rule: type[Rule]) -> str:
    """``docs/rules/CODE.md``: What it does / Why is this bad? / Example / Use instead, with
    the rule's own examples, its severities and category."""
    docs = rule.docs()
    what = _text(docs.what)
    summary, _, details = what.partition("\n")
    out = [
        f"# {rule.code}: {rule.name}",
        "",
        f"Category: `{rule.category.value}` · default severity: `{rule.severity.value}`"
        + (f" · confidence: `{rule.confidence.value}`" if rule.confidence else ""),
        "",
        "## What it does",
        "",
        summary,
    ]
    if details.strip():
        out += ["", details.strip()]
    out += ["", "## Why is this bad?", "", _text(docs.why) or "(not documented)", "", "## Example", ""]
    if rule.INVALID:
        out += _examples_markdown(rule.INVALID, flagged=True)
    else:
        out += ["No example is shipped for this rule.", ""]
    out += ["## Use instead", "", _text(docs.instead) or "(not documented)", ""]
    if rule.VALID:
        out += _examples_markdown(rule.VALID, flagged=False)
    out += ["## Severity", "", *_severities(rule), ""]
    out += [
        "## Options",
        "",
        f"Select or ignore it by its code (`ignore = [\"{rule.code}\"]`), change its severity in the config's "
        f"`[tool.mbcheck.severity]` table (`{rule.code} = \"warning\"`), silence one finding with "
        f"a `# mbcheck: ignore[{rule.code}]` comment on its line.",
        "",
        "---",
        "",
        f"Generated from the rule class by `python -m mbcheck.rules.docs`; `mbcheck explain {rule.code}` shows the same.",
        "",
    ]
    return "\n".join(out)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_index(rules: Iterable[type[Rule]]) -> str:
    """``docs/rules/README.md``: every rule with its category, severities and summary."""
    out = [
        "# Rules",
        "",
        "Every rule of mbcheck, generated from the rule classes by `python -m mbcheck.rules.docs`",
        "(`mbcheck rules` lists the same, `mbcheck explain CODE` shows one page on the terminal).",
        "bandit's checks (`B101` … `B704`) run too; each is documented on bandit's site",
        "(<https://bandit.readthedocs.io/en/latest/plugins/index.html>), and its SARIF `helpUri` points there.",
        "",
        "| Code | Name | Category | Severity | What it finds |",
        "| --- | --- | --- | --- | --- |",
    ]
    for rule in rules:
        severities = " / ".join(severity.value for severity in rule.severities())
        summary = _cell(_text(rule.docs().summary))
        out.append(f"| [{rule.code}]({rule.code}.md) | `{rule.name}` | {rule.category.value} | {severities} | {summary} |")
    out.append("")
    return "\n".join(out)


def documented_rules() -> list[type[Rule]]:
    """mbcheck's own rules, by code (bandit's tests are documented by bandit)."""
    from mbcheck.rules import all_rules

    return [rule for _, rule in sorted(all_rules().items()) if not issubclass(rule, ExternalRule)]


def pages() -> dict[str, str]:
    """Every page, by file name under ``docs/rules/``."""
    rules = documented_rules()
    out = {f"{rule.code}.md": render_page(rule) for rule in rules}
    out["README.md"] = render_index(rules)
    return out


def stale_pages(directory: Path) -> list[str]:
    """The pages under ``directory`` that are missing, different or no longer generated."""
    expected = pages()
    stale = [
        name for name, text in expected.items()
        if not (directory / name).is_file() or (directory / name).read_text(encoding="utf-8") != text
    ]
    if directory.is_dir():
        stale += sorted(p.name for p in directory.glob("*.md") if p.name not in expected)
    return stale


def write_pages(directory: Path) -> list[str]:
    """Write every page into ``directory``, remove pages of rules that no longer exist; the names written."""
    directory.mkdir(parents=True, exist_ok=True)
    expected = pages()
    for old in directory.glob("*.md"):
        if old.name not in expected:
            old.unlink()
    for name, text in expected.items():
        (directory / name).write_text(text, encoding="utf-8")
    return sorted(expected)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m mbcheck.rules.docs [--check] [--output DIR]``, from the repository root."""
    parser = argparse.ArgumentParser(prog="python -m mbcheck.rules.docs", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--output", type=Path, default=DOCS_DIR, help="the pages' directory (default: docs/rules)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 when a page is not current")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_pages(args.output)
        if stale:
            sys.stderr.write(f"rule pages not current in {args.output}: {', '.join(stale)}; "
                             "run `python -m mbcheck.rules.docs`\n")
            return 1
        return 0
    written = write_pages(args.output)
    sys.stderr.write(f"{len(written)} pages -> {args.output}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
