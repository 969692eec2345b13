"""The text report: plain when piped; on a terminal grouped per file, with source lines,
carets under the reported columns and colour by severity (NO_COLOR, FORCE_COLOR, --color)."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from helpers import ROOT, run, write_plugin
from mbcheck.cli import app
from mbcheck.reporters.text import PLAIN, Style, render, style_for
from mbcheck.rules.base import EXAMPLE_INIT, EXAMPLE_MANIFEST

runner = CliRunner()
ANSI = re.compile(r"\x1b\[[0-9;]*m")
BAD_VERSION = EXAMPLE_MANIFEST.replace("version: 1.0.0", "version: one point oh")


def _plugin(tmp_path: Path, init: str = EXAMPLE_INIT, manifest: str = BAD_VERSION, name: str = "example") -> Path:
    return write_plugin(tmp_path, {"plugin.yaml": manifest, "__init__.py": init}, name=name)


def _lint(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = runner.invoke(app, ["lint", *args, "--select", "MB103", "--no-cache", "-j", "1"], env=env)
    return result.exit_code, result.stdout


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_piped_output_is_the_plain_one_line_format(tmp_path: Path) -> None:
    plugin = _plugin(tmp_path)
    code, out = _lint(str(plugin), env={"FORCE_COLOR": "", "NO_COLOR": ""})
    assert code == 1
    assert f"{plugin}/plugin.yaml:2:10: MB103 error version 'one point oh' is not a valid PEP 440 version" in out
    assert "\x1b" not in out and " | " not in out
    assert out.rstrip().endswith("1 plugin checked: 1 error, 0 warnings, 0 info")
    assert "example (plugin, " in out and "): FAIL - 1 error" in out


def test_terminal_layout_groups_per_file_with_the_source_line_and_a_caret(tmp_path: Path) -> None:
    plugin = _plugin(tmp_path)
    code, out = _lint(str(plugin), "--color", "always")
    assert code == 1
    assert "\x1b[1;31merror" in out  # errors in red
    lines = ANSI.sub("", out).splitlines()
    header = lines.index(f"{plugin}/plugin.yaml")
    assert lines[header + 1] == "  2:10  error   MB103  version 'one point oh' is not a valid PEP 440 version"
    assert lines[header + 2] == "    2 | version: one point oh"
    assert lines[header + 3] == "      |          ^^^^^^^^^^^^"
    source, caret = lines[header + 2], lines[header + 3]
    assert source[caret.index("^") : caret.index("^") + 12] == "one point oh"
    assert lines[-1] == "1 plugin checked: 1 error, 0 warnings, 0 info"


def test_no_color_keeps_the_layout_without_escape_codes(tmp_path: Path) -> None:
    plugin = _plugin(tmp_path)
    _, out = _lint(str(plugin), "--color", "NEVER")  # case-insensitive
    assert "\x1b" not in out  # CliRunner's stdout is not a terminal: the plain format
    assert style_for(_Terminal(), "auto", {"NO_COLOR": "1"}) == Style(source=True, colour=False)
    assert style_for(_Terminal(), "never", {}) == Style(source=True, colour=False)
    assert render(run(plugin), Style(source=True, colour=False)).count("\x1b") == 0


@pytest.mark.parametrize(
    ("stream", "color", "environ", "expected"),
    [
        (_Terminal(), "auto", {}, Style(source=True, colour=True)),
        (_Terminal(), "auto", {"NO_COLOR": ""}, Style(source=True, colour=True)),  # empty: not set (no-color.org)
        (_Terminal(), "auto", {"TERM": "dumb"}, PLAIN),
        (io.StringIO(), "auto", {}, PLAIN),
        (None, "auto", {}, PLAIN),  # -o FILE
        (io.StringIO(), "auto", {"FORCE_COLOR": "1"}, Style(source=True, colour=True)),
        (io.StringIO(), "auto", {"FORCE_COLOR": "0"}, PLAIN),
        (io.StringIO(), "always", {"NO_COLOR": "1"}, Style(source=True, colour=True)),
        (io.StringIO(), "never", {"FORCE_COLOR": "1"}, PLAIN),
    ],
)
def test_style_for_the_stream_and_environment(stream: io.StringIO | None, color: str, environ: dict[str, str], expected: Style) -> None:
    assert style_for(stream, color, environ) == expected


def test_bad_color_value_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["lint", str(_plugin(tmp_path)), "--color", "sometimes"])
    assert result.exit_code == 2
    assert "--color must be auto, always or never (got 'sometimes')" in result.output


def test_wide_characters_tabs_and_escape_sequences_keep_the_caret_aligned(tmp_path: Path) -> None:
    init = EXAMPLE_INIT + 'NAME = "日本"; RESULT = eval(NAME)\nBANNER = "\x1b[2J"; exec(BANNER)\nif NAME:\n\tVALUE = eval(NAME)\n'
    plugin = _plugin(tmp_path, init=init, manifest=EXAMPLE_MANIFEST)
    out = render(run(plugin), Style(source=True, colour=False))
    assert "\x1b" not in out, "a plugin's bytes never reach the terminal raw"
    lines = out.splitlines()
    for marker, target in (('RESULT = eval(NAME)', "eval(NAME)"), ("exec(BANNER)", "exec(BANNER)"), ("\tVALUE", "eval(NAME)")):
        [number] = [i for i, line in enumerate(lines) if " | " in line and marker.strip() in line.replace("    VALUE", "\tVALUE")]
        source, caret = lines[number], lines[number + 1]
        start = caret.index("^")
        cells = _cells(source[: source.index(target, source.index("|"))])
        assert _cells(caret[:start]) == cells, (source, caret)
    assert 'BANNER = "\\x1b[2J"; exec(BANNER)' in out


def _cells(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def test_no_source_line_for_archives_or_unreadable_files(tmp_path: Path) -> None:
    packed = tmp_path / "packed.zip"
    with zipfile.ZipFile(packed, "w") as zf:
        zf.writestr("plugin.yaml", BAD_VERSION)
        zf.writestr("__init__.py", EXAMPLE_INIT)
    out = render(run(packed), Style(source=True, colour=True))
    plain = ANSI.sub("", out)
    assert f"{packed}/plugin.yaml" in plain and "MB103" in plain
    assert " | " not in plain
    plugin = _plugin(tmp_path / "gone")
    report = run(plugin)
    (plugin / "plugin.yaml").unlink()
    (plugin / "__init__.py").unlink()
    (plugin / "plugin.yaml").mkdir()  # not a regular file any more
    assert " | " not in render(report, Style(source=True, colour=False))


def test_plurals(tmp_path: Path) -> None:
    init = EXAMPLE_INIT + "RESULT = eval('1')\n"  # import-time eval: errors; undeclared permission: info
    plugin = _plugin(tmp_path, init=init, manifest=EXAMPLE_MANIFEST)
    out = render(run(plugin, {"select": ["MB330", "MB302"]}))
    assert re.search(r"FAIL - 1 error, 1 info\n", out), out
    assert "1 plugin checked: 1 error, 0 warnings, 1 info" in out
    assert "infos" not in out and "1 errors" not in out and "1 plugins" not in out


def test_rules_columns_are_aligned() -> None:
    result = runner.invoke(app, ["rules"])
    assert result.exit_code == 0
    starts = set()
    for row in result.stdout.splitlines():
        positions, at = [], 0
        for field in row.split()[:5]:  # code, name, category, severity, the summary's first word
            at = row.index(field, at)
            positions.append(at)
            at += len(field)
        starts.add(tuple(positions))
    assert len(starts) == 1, starts


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="pseudo-terminals are POSIX")
@pytest.mark.parametrize("no_color", ["", "1"])
def test_on_a_real_terminal(tmp_path: Path, no_color: str) -> None:
    """Through a pseudo-terminal, as a user sees it: colour unless NO_COLOR, carets either way."""
    import pty

    plugin = _plugin(tmp_path)
    parent, child = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env.update({"PYTHONPATH": str(ROOT), "NO_COLOR": no_color, "TERM": "xterm", "MBCHECK_CACHE_DIR": str(tmp_path / "cache")})
    process = subprocess.Popen(
        [sys.executable, "-P", "-m", "mbcheck", "lint", str(plugin), "--select", "MB103", "--no-cache", "-j", "1"],
        stdout=child, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, env=env, cwd=tmp_path,
    )
    os.close(child)
    chunks = []
    while True:
        try:
            chunk = os.read(parent, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(parent)
    assert process.wait(timeout=120) == 1
    out = b"".join(chunks).decode().replace("\r\n", "\n")
    assert ("\x1b[" in out) is (not no_color)
    plain = ANSI.sub("", out)
    assert "    2 | version: one point oh\n      |          ^^^^^^^^^^^^" in plain
