"""The README's editor setups are well formed and start the command that exists."""

from __future__ import annotations

import json
import re
import tomllib

from typer.testing import CliRunner

from helpers import ROOT
from mbcheck.cli import app

README = (ROOT / "README.md").read_text(encoding="utf-8")
SECTION = README[README.index("## Editor integration"):README.index("## CI (GitHub Actions")]


def _block(after: str, fence: str) -> str:
    match = re.compile(rf"```{fence}\n(.*?)```", re.S).search(SECTION, SECTION.index(after))
    assert match is not None, f"no ```{fence} block after {after!r}"
    return match.group(1)


def test_vscode_neovim_and_helix_start_mbcheck_server() -> None:
    vscode = json.loads(_block("**VS Code**", "json"))
    assert [vscode["glspc.server.command"], *vscode["glspc.server.commandArguments"]] == ["mbcheck", "server"]
    assert set(vscode["glspc.server.languageId"]) == {"python", "yaml", "toml"}

    neovim = _block("**Neovim**", "lua")
    assert "vim.lsp.start({" in neovim
    assert 'cmd = { "mbcheck", "server" }' in neovim
    assert 'pattern = { "python", "yaml", "toml" }' in neovim

    helix = tomllib.loads(_block("**Helix**", "toml"))
    assert helix["language-server"]["mbcheck"] == {"command": "mbcheck", "args": ["server"]}
    assert {lang["name"] for lang in helix["language"] if "mbcheck" in lang["language-servers"]} == {
        "python", "yaml", "toml"
    }


def test_the_server_command_and_its_options_exist() -> None:
    result = CliRunner().invoke(app, ["server", "--help"])
    assert result.exit_code == 0, result.output
    for option in ("--debounce", "--log-timings", "--config", "--isolated"):
        assert option in result.output
