"""The language server: a plugin analysed as a whole, from the editor's buffers, off the event loop.

- A document belongs to the plugin :func:`mbcheck.discovery.plugin_root_of`
  finds for it (``plugin.yaml``, the package's ``__init__.py``, a bottle's
  ``pyproject.toml``); a document in no plugin gets no diagnostics.
- Every open document of a plugin is overlaid on its files
  (:attr:`mbcheck.discovery.PluginTarget.overlay`): unsaved text is analysed,
  never the file on disk. The digest and everything else of a normal run are
  unchanged; the report never leaves the server.
- Opening or saving a document analyses its plugin at once; a change waits
  for the editor to pause (the debounce, 150 ms by default). Runs happen one
  at a time in a worker thread; a run that a newer change made stale is
  stopped between files and its result dropped.
- Outcomes of unchanged files come from the session's memory, then the
  on-disk cache (:class:`SessionCache`), so a keystroke re-analyses one file.
- Diagnostics are published for every file of the plugin that has findings;
  a file whose findings are gone is cleared.
- Configuration is read as ``mbcheck lint`` reads it: ``--config``, else the
  first file found from the workspace root (the current directory when the
  editor names none) upwards; never from the plugin.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hashlib
import logging
import os
import time
from collections import OrderedDict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from mbcheck import __version__
from mbcheck.cache import Cache, default_cache_dir
from mbcheck.config import Config, ConfigError, load
from mbcheck.context import FileOutcome, HostProfile
from mbcheck.lsp import convert
from mbcheck.lsp.convert import FileText
from mbcheck.model import Finding, Report

logger = logging.getLogger(__name__)

#: seconds a change waits for the next one before the plugin is analysed
DEFAULT_DEBOUNCE = 0.15
#: outcomes (and reports) kept in memory: enough for a plugin's files and a few edits of each
_MEMORY_ENTRIES = 2048


class Superseded(Exception):
    """A newer change made the running analysis stale."""


class SessionCache(Cache):
    """The on-disk cache with the session's outcomes in memory in front of it.

    Outcomes of files as they are on disk are also written to the disk cache
    (a later ``mbcheck lint`` finds them); outcomes of unsaved buffers and
    whole-run reports stay in memory, so typing does not fill the user's cache
    with states no file ever had. With the disk cache off or unusable the
    memory still serves the session.
    """

    def __init__(self, directory: Path | None, salt: str = "") -> None:
        if directory is None:  # no disk cache at all: the memory only
            self.directory = Path(os.devnull)
            self.salt = salt
            self.hits = self.misses = 0
            self.disabled_reason = "the cache is off (`cache = false`)"
            self._key = b""
            self._fd = -1
        else:
            super().__init__(directory, salt)
        self._memory: OrderedDict[str, Any] = OrderedDict()
        #: sha256 of the bytes of open documents that differ from their file
        self.unsaved: set[str] = set()

    @property
    def enabled(self) -> bool:
        return True  # the memory always is

    def _remember(self, key: str, value: Any) -> None:
        self._memory[key] = value
        self._memory.move_to_end(key)
        while len(self._memory) > _MEMORY_ENTRIES:
            self._memory.popitem(last=False)

    def get(self, key: str) -> FileOutcome | None:
        value = self._memory.get(key)
        if isinstance(value, FileOutcome):
            self._memory.move_to_end(key)
            self.hits += 1
            return value
        outcome = super().get(key)
        if outcome is not None:
            self._remember(key, outcome)
        return outcome

    def put(self, key: str, outcome: FileOutcome) -> None:
        self._remember(key, outcome)
        if outcome.sha256 not in self.unsaved:
            super().put(key, outcome)

    def get_report(self, key: str) -> Report | None:
        value = self._memory.get(key)
        return value if isinstance(value, Report) else None

    def put_report(self, key: str, report: Report) -> None:
        self._remember(key, report)


@dataclass
class PluginState:
    """What the server knows about one plugin: its last diagnostics, by document."""

    root: Path
    #: incremented by every change; a run with an older number is stale
    generation: int = 0
    #: documents with diagnostics published -> (diagnostic, finding) pairs
    published: dict[str, list[tuple[types.Diagnostic, Finding]]] = field(default_factory=dict)
    #: what was last sent for each document
    sent: dict[str, types.PublishDiagnosticsParams] = field(default_factory=dict)
    #: the text each published document had when it was analysed
    texts: dict[str, FileText] = field(default_factory=dict)
    pending: asyncio.Task[None] | None = None
    #: the versions of the open documents the running analysis reads
    versions: dict[str, int | None] = field(default_factory=dict)
    #: analyses finished, and the processor seconds of the last one
    runs: int = 0
    cpu: float = 0.0


class MbcheckServer(LanguageServer):
    """``mbcheck server``: diagnostics, code actions and hover for MilkBottle plugins."""

    def __init__(
        self,
        *,
        config_file: Path | None = None,
        isolated: bool = False,
        debounce: float = DEFAULT_DEBOUNCE,
        log_timings: bool = False,
    ) -> None:
        super().__init__("mbcheck", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.config_file = config_file
        self.isolated = isolated
        self.debounce = debounce
        self.log_timings = log_timings
        self.config: Config = Config()
        self.host: HostProfile | None = None
        self.cache: SessionCache | None = None
        self.plugins: dict[Path, PluginState] = {}
        #: analyses run here, one at a time, files analysed in this process: the engine's worker
        #: processes are forked, and a process with threads (this one) cannot fork safely
        self.runner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mbcheck-analysis")
        #: documents in no plugin (told once)
        self.outside: set[str] = set()

    # -- messages -------------------------------------------------------------

    def log(self, message: str, kind: types.MessageType = types.MessageType.Info) -> None:
        """A line in the editor's log of the server (``window/logMessage``)."""
        self.window_log_message(types.LogMessageParams(type=kind, message=f"mbcheck: {message}"))

    # -- setup -----------------------------------------------------------------

    def setup(self, workspace_root: Path | None) -> None:
        """The configuration, the host profile and the cache, as ``mbcheck lint`` run from the workspace would have them."""
        from mbcheck.engine import load_host_profile

        cwd = workspace_root if workspace_root is not None and workspace_root.is_dir() else _cwd()
        unusable = ""
        try:
            self.config = load(self.config_file, cwd=None if self.isolated or self.config_file else cwd,
                               isolated=self.isolated)
        except ConfigError as exc:
            self.config = Config()
            unusable = " (the config file cannot be used)"
            self.window_show_message(types.ShowMessageParams(
                type=types.MessageType.Error,
                message=f"mbcheck: {exc}; using the default settings until it is fixed (then restart the server)",
            ))
        try:
            self.host = load_host_profile(self.config.host_profile)
        except ConfigError as exc:
            self.window_show_message(types.ShowMessageParams(
                type=types.MessageType.Error, message=f"mbcheck: {exc}; using the shipped host profile"))
            self.config = replace(self.config, host_profile=Config().host_profile)
            self.host = load_host_profile(self.config.host_profile)
        directory = Path(self.config.cache_dir) if self.config.cache_dir else default_cache_dir()
        self.cache = SessionCache(directory if self.config.cache else None)
        source = self.config.path or ("no file (--isolated)" if self.config.isolated else
                                      f"the defaults{unusable or ' (no config file found)'}")
        self.log(f"settings from {source}; workspace {cwd}")
        if self.config.cache and self.cache.disabled_reason:
            self.log(f"the on-disk cache is not used: {self.cache.disabled_reason}", types.MessageType.Warning)

    # -- documents -> plugins --------------------------------------------------

    def plugin_of(self, uri: str) -> PluginState | None:
        """The plugin a document belongs to (None: not a file, or in no plugin)."""
        from mbcheck.discovery import plugin_root_of

        path = _path_of(uri)
        if path is None:
            return None
        root = plugin_root_of(path)
        if root is None:
            if uri not in self.outside:
                self.outside.add(uri)
                self.log(f"{path} is not part of a MilkBottle plugin (no plugin.yaml, package __init__.py "
                         "or bottle pyproject.toml above it): not checked")
            return None
        return self.plugins.setdefault(root, PluginState(root))

    def overlay(self, state: PluginState) -> dict[str, bytes]:
        """The open documents of a plugin, by path relative to its root, as the editor holds them
        (their versions are noted in ``state.versions``: the diagnostics say which text they are of)."""
        out: dict[str, bytes] = {}
        state.versions = {}
        for uri, document in list(self.workspace.text_documents.items()):
            path = _path_of(uri)
            if path is None:
                continue
            try:
                rel = path.resolve().relative_to(state.root).as_posix()
            except ValueError:
                continue
            out[rel] = document.source.encode("utf-8")
            state.versions[uri] = document.version
        return out

    def schedule(self, state: PluginState, delay: float, trigger: str) -> None:
        """Analyse the plugin after ``delay`` seconds, unless another change comes first."""
        state.generation += 1
        if state.pending is not None and not state.pending.done():
            state.pending.cancel()
        state.pending = asyncio.ensure_future(self._debounced(state, delay, trigger))

    async def _debounced(self, state: PluginState, delay: float, trigger: str) -> None:
        try:
            if delay > 0:
                await asyncio.sleep(delay)
            await self.analyse(state, trigger)
        except asyncio.CancelledError:
            pass

    # -- analysis --------------------------------------------------------------

    async def analyse(self, state: PluginState, trigger: str) -> None:
        """Run the engine on the plugin (in the worker thread) and publish what it found."""
        generation = state.generation
        started = time.perf_counter()
        overlay = self.overlay(state)
        loop = asyncio.get_running_loop()
        try:
            report = await loop.run_in_executor(self.runner, self._check, state, overlay, generation)
        except Superseded:
            return
        except Exception as exc:  # the engine never should; the server must not die of it
            logger.exception("analysis failed")
            self.log(f"analysis of {state.root} failed: {type(exc).__name__}: {exc}", types.MessageType.Error)
            return
        if state.generation != generation:
            return  # a newer change is on its way
        analysed = time.perf_counter()
        published = self.publish(state, report, overlay)
        if self.log_timings:
            finished = time.perf_counter()
            cache = report.context.get("cache", {})
            self.log(
                f"timing: {trigger} {state.root.name}: diagnostics published {(finished - started) * 1000:.1f} ms "
                f"after the analysis started (analysis {(analysed - started) * 1000:.1f} ms, "
                f"{state.cpu * 1000:.1f} ms of processor time, "
                f"{report.context.get('files', 0)} Python files, {cache.get('misses', 0)} analysed, "
                f"{published} documents published)"
            )

    def _check(self, state: PluginState, overlay: dict[str, bytes], generation: int) -> Report:
        """The engine's run over the plugin with the editor's buffers (in the worker thread)."""
        from mbcheck.discovery import discover
        from mbcheck.engine import check_targets

        assert self.host is not None and self.cache is not None
        if state.generation != generation:
            raise Superseded
        self.cache.hits = self.cache.misses = 0
        self.cache.unsaved = {hashlib.sha256(data).hexdigest() for rel, data in overlay.items()
                              if _differs_from_disk(state.root / rel, data)}
        discovery = discover([state.root])
        discovery = replace(discovery, targets=tuple(
            replace(target, overlay=tuple(sorted(overlay.items()))) for target in discovery.targets
        ))

        def progress(_done: int, _total: int) -> None:
            if state.generation != generation:
                raise Superseded

        started = time.thread_time()
        # after the first run, a run re-analyses a file or two: the cyclic garbage collector's
        # passes over the session's many long-lived objects would cost more than the run itself
        pause = state.runs > 0 and gc.isenabled()
        if pause:
            gc.disable()
        try:
            return check_targets(discovery, self.config, self.host, jobs=1, progress=progress, cache=self.cache)
        finally:
            if pause:
                gc.enable()
            state.runs += 1
            state.cpu = time.thread_time() - started
            if state.runs == 1:
                gc.collect()
                gc.freeze()  # what the first run loaded (rules, tables, outcomes) is never garbage

    def publish(self, state: PluginState, report: Report, overlay: dict[str, bytes]) -> int:
        """Diagnostics for every file of the plugin with findings; files whose findings are gone are cleared."""
        from mbcheck.rules.catalog import help_uri

        codec = self.workspace.position_codec
        by_path: dict[str, list[Finding]] = {}
        for plugin in report.plugins:
            for finding in plugin.findings:
                by_path.setdefault(finding.span.path, []).append(finding)
        whole = by_path.pop("", [])
        #: findings about the plugin as a whole, by the place they are shown at
        shown_at: dict[int, Finding] = {}
        if whole:
            # shown on the manifest, else the package's __init__.py (no comment there silences them)
            home = next((rel for rel in ("plugin.yaml", "__init__.py", "pyproject.toml")
                         if (state.root / rel).is_file() or rel in overlay), None)
            if home is not None:
                for finding in whole:
                    moved = replace(finding, span=replace(finding.span, path=home))
                    shown_at[id(moved)] = finding
                    by_path.setdefault(home, []).append(moved)
        texts: dict[str, FileText | None] = {}

        def text_of(rel: str) -> FileText | None:
            if rel not in texts:
                data = overlay.get(rel)
                if data is None:
                    try:
                        data = (state.root / rel).read_bytes()
                    except OSError:
                        data = None
                texts[rel] = FileText(data.decode("utf-8", errors="replace")) if data is not None else None
            return texts[rel]

        def uri_of(rel: str) -> str | None:
            return from_fs_path(str(state.root / rel)) if rel else None

        uris: dict[str, list[tuple[types.Diagnostic, Finding]]] = {}
        for rel, findings in sorted(by_path.items()):
            uri = uri_of(rel)
            if uri is None:
                continue
            text = text_of(rel)
            pairs = [(convert.diagnostic(f, text, codec, _safe_help_uri(help_uri), uri_of, text_of), shown_at.get(id(f), f))
                     for f in sorted(findings, key=Finding.sort_key)]
            uris[uri] = pairs
            if text is not None:
                state.texts[uri] = text
        for uri in set(state.published) - set(uris):
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
                uri=uri, diagnostics=[], version=state.versions.get(uri)))
            state.texts.pop(uri, None)
            state.sent.pop(uri, None)
        sent = 0
        for uri, pairs in uris.items():
            params = types.PublishDiagnosticsParams(
                uri=uri, diagnostics=[d for d, _ in pairs], version=state.versions.get(uri)
            )
            if state.sent.get(uri) == params:
                continue  # what the editor shows already (a file the change did not touch)
            self.text_document_publish_diagnostics(params)
            state.sent[uri] = params
            sent += 1
        state.published = uris
        return sent

    # -- requests --------------------------------------------------------------

    def findings_at(self, uri: str) -> tuple[PluginState, list[tuple[types.Diagnostic, Finding]]] | None:
        for state in self.plugins.values():
            if uri in state.published:
                return state, state.published[uri]
        return None

    def code_actions(self, params: types.CodeActionParams) -> list[types.CodeAction]:
        found = self.findings_at(params.text_document.uri)
        if found is None:
            return []
        state, pairs = found
        uri = params.text_document.uri
        text = state.texts.get(uri)
        codec = self.workspace.position_codec
        wanted = {(d.code, _range_key(d.range), d.message) for d in params.context.diagnostics}
        fixes: list[types.CodeAction] = []
        suppressions: list[types.CodeAction] = []
        seen: set[str] = set()
        for diagnostic, finding in pairs:
            key = (diagnostic.code, _range_key(diagnostic.range), diagnostic.message)
            # the diagnostics the editor names (at the cursor), else every one in the range
            if (key not in wanted) if wanted else not convert.overlaps(diagnostic.range, params.range):
                continue

            def texts(rel: str) -> FileText | None:
                document = self.workspace.text_documents.get(from_fs_path(str(state.root / rel)) or "")
                return FileText(document.source) if document is not None else _read(state.root / rel)

            def uri_of(rel: str) -> str | None:
                return from_fs_path(str(state.root / rel)) if rel else None

            action = convert.fix_action(finding, diagnostic, uri_of, texts, codec)
            if action is not None:
                fixes.append(action)
            if text is None:
                continue
            for make in (convert.suppress_line_action, convert.suppress_file_action):
                action = make(finding, diagnostic, uri, text, codec)
                if action is not None and action.title not in seen:
                    seen.add(action.title)
                    suppressions.append(action)
        return [*fixes, *suppressions]

    def hover(self, params: types.HoverParams) -> types.Hover | None:
        from mbcheck.rules.catalog import describe, help_uri

        found = self.findings_at(params.text_document.uri)
        if found is None:
            return None
        _state, pairs = found
        hits = [(d, f) for d, f in pairs if convert.contains(d.range, params.position)]
        if not hits:
            return None
        codes = sorted({f.rule for _, f in hits})
        rules = describe(codes)
        parts = [convert.hover_text(code, rules.get(code), _safe_help_uri(help_uri)(code)) for code in codes]
        return types.Hover(
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n\n---\n\n".join(parts)),
            range=hits[0][0].range if len(hits) == 1 else None,
        )


def _range_key(range_: types.Range) -> tuple[int, int, int, int]:
    return (range_.start.line, range_.start.character, range_.end.line, range_.end.character)


def _safe_help_uri(help_uri: Any) -> Any:
    def uri(code: str) -> str:
        try:
            return str(help_uri(code))
        except Exception:  # bandit's page lookup must not cost the diagnostic
            return ""
    return uri


def _cwd() -> Path | None:
    try:
        return Path.cwd()
    except OSError:
        return None


def _path_of(uri: str) -> Path | None:
    if not uri.startswith("file:"):
        return None
    path = to_fs_path(uri)
    return Path(path) if path else None


def _read(path: Path) -> FileText | None:
    try:
        return FileText(path.read_bytes().decode("utf-8", errors="replace"))
    except OSError:
        return None


def _differs_from_disk(path: Path, data: bytes) -> bool:
    try:
        return path.read_bytes() != data
    except OSError:
        return True


def _workspace_root(params: types.InitializeParams) -> Path | None:
    folders: Iterable[types.WorkspaceFolder] = params.workspace_folders or ()
    for folder in folders:
        path = _path_of(folder.uri)
        if path is not None:
            return path
    if params.root_uri:
        return _path_of(params.root_uri)
    if params.root_path:
        return Path(params.root_path)
    return None


def create_server(
    *,
    config_file: Path | None = None,
    isolated: bool = False,
    debounce: float = DEFAULT_DEBOUNCE,
    log_timings: bool = False,
) -> MbcheckServer:
    """The server with its features registered (``start_io()`` runs it)."""
    server = MbcheckServer(config_file=config_file, isolated=isolated, debounce=debounce, log_timings=log_timings)

    @server.feature(types.INITIALIZE)
    def initialize(ls: MbcheckServer, params: types.InitializeParams) -> None:
        ls.setup(_workspace_root(params))

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: MbcheckServer, params: types.DidOpenTextDocumentParams) -> None:
        state = ls.plugin_of(params.text_document.uri)
        if state is not None:
            ls.schedule(state, 0, "didOpen")

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: MbcheckServer, params: types.DidChangeTextDocumentParams) -> None:
        state = ls.plugin_of(params.text_document.uri)
        if state is not None:
            ls.schedule(state, ls.debounce, "didChange")

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: MbcheckServer, params: types.DidSaveTextDocumentParams) -> None:
        state = ls.plugin_of(params.text_document.uri)
        if state is not None:
            ls.schedule(state, 0, "didSave")

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: MbcheckServer, params: types.DidCloseTextDocumentParams) -> None:
        state = ls.plugin_of(params.text_document.uri)
        if state is not None:
            ls.schedule(state, 0, "didClose")  # the file on disk counts again

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
    )
    def code_action(ls: MbcheckServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        return ls.code_actions(params)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: MbcheckServer, params: types.HoverParams) -> types.Hover | None:
        return ls.hover(params)

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: MbcheckServer, params: None) -> None:
        for state in ls.plugins.values():
            if state.pending is not None:
                state.pending.cancel()
            state.generation += 1  # a run in progress stops at its next file
        ls.runner.shutdown(wait=False, cancel_futures=True)
        if ls.cache is not None:
            with contextlib.suppress(Exception):
                ls.cache.close()

    return server


def main(**options: Any) -> None:
    """Serve over stdin/stdout until the editor says exit."""
    create_server(**options).start_io()


__all__ = ["DEFAULT_DEBOUNCE", "MbcheckServer", "SessionCache", "create_server", "main"]
