"""An editor for the tests: pygls's LanguageClient driving ``mbcheck server`` over real stdio pipes.

Every JSON-RPC message that crosses the pipe is kept (``Editor.exchange``), in
the order it crossed, so a test can show or check the conversation.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.protocol import LanguageServerProtocol
from pygls.uris import from_fs_path

#: seconds any one answer may take: generous, the test machine may be slow and shared
TIMEOUT = 90.0


class RecordingProtocol(LanguageServerProtocol):
    """The client's protocol, keeping every message it sends and receives."""

    exchange: list[tuple[str, dict[str, Any]]]

    def _send_data(self, data: Any) -> None:
        if data:
            self.exchange.append(("->", json.loads(json.dumps(data, default=self._serialize_message))))
        super()._send_data(data)

    def handle_message(self, message: Any) -> None:
        self.exchange.append(("<-", json.loads(json.dumps(message, default=self._serialize_message))))
        super().handle_message(message)


class Editor:
    """Open, edit and query documents as an editor would; wait for what the server publishes."""

    def __init__(self, workspace: Path) -> None:
        self.workspace = workspace
        self.client = LanguageClient("mbcheck-tests", "1", protocol_cls=RecordingProtocol)
        self.protocol: RecordingProtocol = self.client.protocol  # type: ignore[assignment]
        self.protocol.exchange = []
        self.diagnostics: dict[str, list[types.Diagnostic]] = {}
        self.logs: list[str] = []
        self._arrived: dict[str, asyncio.Queue[tuple[int | None, list[types.Diagnostic]]]] = defaultdict(asyncio.Queue)
        self._versions: dict[str, int] = {}

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: types.PublishDiagnosticsParams) -> None:
            self.diagnostics[params.uri] = list(params.diagnostics)
            self._arrived[params.uri].put_nowait((params.version, list(params.diagnostics)))

        @self.client.feature(types.WINDOW_LOG_MESSAGE)
        def logged(params: types.LogMessageParams) -> None:
            self.logs.append(params.message)

        @self.client.feature(types.WINDOW_SHOW_MESSAGE)
        def shown(params: types.ShowMessageParams) -> None:
            self.logs.append(params.message)

    @property
    def exchange(self) -> list[tuple[str, dict[str, Any]]]:
        return self.protocol.exchange

    async def start(self, *args: str) -> types.InitializeResult:
        await self.client.start_io(sys.executable, "-P", "-m", "mbcheck", "server", *args, cwd=str(self.workspace))
        result = await asyncio.wait_for(self.client.initialize_async(types.InitializeParams(
            process_id=None,
            root_uri=from_fs_path(str(self.workspace)),
            capabilities=types.ClientCapabilities(
                general=types.GeneralClientCapabilities(position_encodings=[types.PositionEncodingKind.Utf16]),
            ),
        )), TIMEOUT)
        self.client.initialized(types.InitializedParams())
        return result

    async def stop(self) -> None:
        try:
            await asyncio.wait_for(self.client.shutdown_async(None), TIMEOUT)
            self.client.exit(None)
            await asyncio.wait_for(self.client.stop(), TIMEOUT)
        finally:
            server = self.client._server
            if server is not None and server.returncode is None:
                server.kill()

    @staticmethod
    def uri(path: Path) -> str:
        uri = from_fs_path(str(path))
        assert uri is not None
        return uri

    def open(self, path: Path, text: str | None = None, language: str = "python") -> str:
        uri = self.uri(path)
        self._versions[uri] = 1
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(
            uri=uri, language_id=language, version=1, text=path.read_text(encoding="utf-8") if text is None else text,
        )))
        return uri

    def change(self, uri: str, text: str) -> None:
        """The whole text replaced (as many editors send it) without saving."""
        self._versions[uri] += 1
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=self._versions[uri]),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        ))

    def edit(self, uri: str, range_: types.Range, text: str) -> None:
        """An incremental change of one range."""
        self._versions[uri] += 1
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=self._versions[uri]),
            content_changes=[types.TextDocumentContentChangePartial(range=range_, text=text)],
        ))

    async def published(self, uri: str) -> list[types.Diagnostic]:
        """The diagnostics the server publishes for ``uri``: for an open document, the first
        ones of the text as last sent (earlier runs' are skipped); else the next ones."""
        wanted = self._versions.get(uri)

        async def arrival() -> list[types.Diagnostic]:
            while True:
                version, diagnostics = await self._arrived[uri].get()
                if wanted is None or version == wanted:
                    return diagnostics

        return await asyncio.wait_for(arrival(), TIMEOUT)

    async def code_actions(self, uri: str, diagnostic: types.Diagnostic) -> list[types.CodeAction]:
        result = await asyncio.wait_for(self.client.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri),
            range=diagnostic.range,
            context=types.CodeActionContext(diagnostics=[diagnostic]),
        )), TIMEOUT)
        return [action for action in result or [] if isinstance(action, types.CodeAction)]

    async def hover(self, uri: str, position: types.Position) -> types.Hover | None:
        return await asyncio.wait_for(self.client.text_document_hover_async(types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri), position=position,
        )), TIMEOUT)


def apply_edits(text: str, edits: list[types.TextEdit]) -> str:
    """``text`` with LSP edits applied (UTF-16 columns), last first so earlier ranges stay valid."""
    lines = text.splitlines(keepends=True)

    def offset(position: types.Position) -> int:
        before = sum(len(line) for line in lines[: position.line])
        line = lines[position.line] if position.line < len(lines) else ""
        units = 0
        for index, char in enumerate(line):
            if units >= position.character:
                return before + index
            units += 2 if ord(char) > 0xFFFF else 1
        return before + len(line.rstrip("\r\n"))

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        start, end = offset(edit.range.start), offset(edit.range.end)
        text = text[:start] + edit.new_text + text[end:]
        lines = text.splitlines(keepends=True)
    return text
