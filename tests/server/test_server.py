"""``mbcheck server`` driven as an editor drives it: a real subprocess over stdio pipes.

The client (pygls's ``LanguageClient``) opens a plugin module, waits for the
diagnostics, edits the buffer without saving, asks for code actions and applies
one, and hovers. Waits are bounded by generous timeouts; nothing here measures time.
Set ``MBCHECK_LSP_EXCHANGE=FILE`` to write the JSON-RPC messages of the session to FILE.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from pathlib import Path

from lsprotocol import types

from helpers import EXAMPLES
from server.lsp_client import Editor, apply_edits

TOOLS = '''"""Shell helpers."""

import subprocess


def run(command: str) -> None:
    subprocess.run(f"echo 😀 {command}", shell=True)
'''


def _workspace(tmp_path: Path) -> Path:
    """A workspace holding the clean example plugin with a module that runs a shell, and the
    workspace's config (which ignores B404); a config inside the plugin, which must not count."""
    shutil.copytree(EXAMPLES / "plugins" / "hello_world", tmp_path / "hello_world")
    (tmp_path / "hello_world" / "tools.py").write_text(TOOLS, encoding="utf-8")
    (tmp_path / "mbcheck.toml").write_text('ignore = ["B404"]\n', encoding="utf-8")
    (tmp_path / "hello_world" / "mbcheck.toml").write_text('ignore = ["MB300"]\n', encoding="utf-8")
    return tmp_path


def _ranges(diagnostics: list[types.Diagnostic]) -> list[tuple[str, tuple[int, int, int, int]]]:
    return sorted(
        (str(d.code), (d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character))
        for d in diagnostics
    )


def _save_exchange(editor: Editor) -> None:
    target = os.environ.get("MBCHECK_LSP_EXCHANGE")
    if target:
        Path(target).write_text(json.dumps([{"dir": d, "message": m} for d, m in editor.exchange], indent=1,
                                           ensure_ascii=False), encoding="utf-8")


def test_open_edit_fix_and_hover(tmp_path: Path) -> None:
    workspace = _workspace(tmp_path)
    tools = workspace / "hello_world" / "tools.py"

    async def session() -> None:
        editor = Editor(workspace)
        result = await editor.start()
        try:
            assert result.server_info is not None and result.server_info.name == "mbcheck"
            uri = editor.open(tools)
            first = await editor.published(uri)
            # exact places, 0-based; the emoji before the end counts two UTF-16 code units
            assert _ranges(first) == [
                ("MB300", (2, 7, 2, 17)),  # `import subprocess`: the module name
                ("MB310", (6, 4, 6, 52)),  # the whole call
            ]
            mb310 = next(d for d in first if d.code == "MB310")
            assert mb310.source == "mbcheck"
            assert mb310.severity == types.DiagnosticSeverity.Error
            assert mb310.code_description is not None
            assert mb310.code_description.href.endswith("/docs/rules/MB310.md")
            # the config inside the plugin is reported, not used (MB300 is still there)
            config_uri = editor.uri(workspace / "hello_world" / "mbcheck.toml")
            assert [d.code for d in await editor.published(config_uri)] == ["MB012"]

            hover = await editor.hover(uri, types.Position(6, 10))
            assert hover is not None and isinstance(hover.contents, types.MarkupContent)
            assert hover.contents.value.startswith("**MB310**")
            assert "**Why:**" in hover.contents.value and "**Instead:**" in hover.contents.value
            assert await editor.hover(uri, types.Position(0, 3)) is None  # no finding there

            # an unsaved edit: the call without a shell; the file on disk keeps the old text
            fixed = TOOLS.replace('f"echo 😀 {command}", shell=True', '["echo", "😀", command], check=False')
            editor.change(uri, fixed)
            second = await editor.published(uri)
            assert "MB310" not in {d.code for d in second}
            assert ("MB300", (2, 7, 2, 17)) in _ranges(second)
            assert tools.read_text(encoding="utf-8") == TOOLS

            # the suppression quick fix, applied to the buffer as an editor applies a workspace edit
            mb300 = next(d for d in second if d.code == "MB300")
            actions = await editor.code_actions(uri, mb300)
            titles = [a.title for a in actions]
            assert "Suppress MB300 on this line" in titles and "Suppress MB300 in this file" in titles
            action = next(a for a in actions if a.title == "Suppress MB300 on this line")
            assert action.kind == types.CodeActionKind.QuickFix
            assert action.edit is not None and action.edit.changes is not None
            suppressed = apply_edits(fixed, list(action.edit.changes[uri]))
            assert suppressed.splitlines()[2] == "import subprocess  # mbcheck: ignore[MB300]"
            rest = [d for d in second if d.code != "MB300"]
            editor.change(uri, suppressed)
            third = await editor.published(uri)
            assert _ranges(third) == _ranges(rest)
            while third:  # every remaining finding suppressed the same way, comments merged
                actions = await editor.code_actions(uri, third[0])
                action = next(a for a in actions if a.title == f"Suppress {third[0].code} on this line")
                assert action.edit is not None and action.edit.changes is not None
                suppressed = apply_edits(suppressed, list(action.edit.changes[uri]))
                editor.change(uri, suppressed)
                third = await editor.published(uri)
            assert third == []
            assert tools.read_text(encoding="utf-8") == TOOLS
        finally:
            _save_exchange(editor)
            await editor.stop()

    asyncio.run(session())


def test_broken_files_and_documents_outside_plugins(tmp_path: Path) -> None:
    """A broken config, invalid YAML, a syntax error and a file in no plugin: diagnostics or a
    message, never a crash."""
    (tmp_path / "notes.py").write_text("print('not a plugin')\n", encoding="utf-8")
    (tmp_path / "mbcheck.toml").write_text("select = [\n", encoding="utf-8")
    shutil.copytree(EXAMPLES / "plugins" / "hello_world", tmp_path / "hello_world")
    manifest = tmp_path / "hello_world" / "plugin.yaml"
    good_yaml = manifest.read_text(encoding="utf-8")
    pyproject = tmp_path / "hello_world" / "pyproject.toml"
    pyproject.write_text('[project]\nname = "hello-world"\n\n[tool.mbcheck]\nignore = ["MB3"]\n', encoding="utf-8")

    async def session() -> None:
        editor = Editor(tmp_path)
        await editor.start()
        try:
            outside = editor.open(tmp_path / "notes.py")
            yaml_uri = editor.open(manifest, "name: hello_world\nversion: [1.2\n", language="yaml")
            diagnostics = await editor.published(yaml_uri)
            mb101 = next(d for d in diagnostics if d.code == "MB101")
            # where the YAML parser gives up: the end of the document, after the open flow sequence
            assert (mb101.range.start.line, mb101.range.start.character) == (2, 0)
            # pyproject.toml of the plugin: its [tool.mbcheck] table is reported where it is
            toml_uri = editor.uri(pyproject)
            assert [(d.code, d.range.start.line) for d in await editor.published(toml_uri)] == [("MB012", 3)]

            init_uri = editor.open(tmp_path / "hello_world" / "__init__.py", "def broken(:\n    pass\n")
            diagnostics = await editor.published(init_uri)
            assert next(d for d in diagnostics if d.code == "MB001").range.start.line == 0

            # the manifest repaired in the buffer: its diagnostic is cleared
            editor.change(yaml_uri, good_yaml)
            diagnostics = await editor.published(yaml_uri)
            assert "MB101" not in {d.code for d in diagnostics}
            assert outside not in editor.diagnostics
            assert any("notes.py is not part of a MilkBottle plugin" in line for line in editor.logs)
            assert any("mbcheck.toml: invalid TOML" in line and "using the default settings" in line
                       for line in editor.logs)
        finally:
            await editor.stop()

    asyncio.run(session())


def test_a_burst_of_changes_is_analysed_once_at_its_end(tmp_path: Path) -> None:
    """Changes closer together than the debounce are analysed once, from the last text."""
    workspace = _workspace(tmp_path)
    tools = workspace / "hello_world" / "tools.py"

    async def session() -> None:
        editor = Editor(workspace)
        await editor.start("--debounce", "1000")  # generous: the burst must fit in it on a slow machine
        try:
            uri = editor.open(tools)
            await editor.published(uri)
            for count in range(1, 6):
                editor.change(uri, TOOLS + "\n" * count)
            diagnostics = await editor.published(uri)  # the first publication for the last version
            assert "MB310" in {d.code for d in diagnostics}
            versions = [message["params"].get("version") for direction, message in editor.exchange
                        if direction == "<-" and message.get("method") == "textDocument/publishDiagnostics"
                        and message["params"]["uri"] == uri]
            assert versions == [1, 6]  # nothing for the texts the burst replaced
        finally:
            await editor.stop()

    asyncio.run(session())


LOADER = '''"""Settings file reader."""

import yaml


def settings(text: str) -> object:
    return yaml.load(text)
'''


def test_a_rule_fix_is_offered_and_applied_as_a_quick_fix(tmp_path: Path) -> None:
    """A finding whose rule carries a fix (MB314: ``yaml.load`` -> ``yaml.safe_load``) is offered as a
    preferred quick fix; applying its edit to the buffer makes the finding go away."""
    shutil.copytree(EXAMPLES / "plugins" / "hello_world", tmp_path / "hello_world")
    loader = tmp_path / "hello_world" / "loader.py"
    loader.write_text(LOADER, encoding="utf-8")

    async def session() -> None:
        editor = Editor(tmp_path)
        await editor.start()
        try:
            uri = editor.open(loader)
            first = await editor.published(uri)
            mb314 = next(d for d in first if d.code == "MB314")
            assert (mb314.range.start.line, mb314.range.start.character) == (6, 11)
            actions = await editor.code_actions(uri, mb314)
            fixes = [a for a in actions if not a.title.startswith("Suppress")]
            assert len(fixes) == 1, [a.title for a in actions]
            fix = fixes[0]
            assert fix.kind == types.CodeActionKind.QuickFix and fix.is_preferred
            assert fix.edit is not None and fix.edit.changes is not None
            fixed = apply_edits(LOADER, list(fix.edit.changes[uri]))
            assert fixed == LOADER.replace("yaml.load(", "yaml.safe_load(")
            editor.change(uri, fixed)
            second = await editor.published(uri)
            assert "MB314" not in {d.code for d in second}
            assert loader.read_text(encoding="utf-8") == LOADER  # the buffer changed, not the file
        finally:
            _save_exchange(editor)
            await editor.stop()

    asyncio.run(session())
