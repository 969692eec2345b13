"""How long ``mbcheck server`` takes to publish diagnostics after a change to a 2,000-line module.

Usage:
    python benchmarks/lsp_latency.py                 # 20 edits of a generated 2,000-line module
    python benchmarks/lsp_latency.py --edits 50 --lines 4000
    python benchmarks/lsp_latency.py --module path/to/real_module.py

A copy of the example plugin ``hello_world`` gets a generated module of
``--lines`` lines (classes, functions, comprehensions, f-strings; one shell
call mbcheck reports), or a copy of ``--module``. The server starts over stdio
with ``--log-timings``, the module is opened and analysed once, then each edit
puts a new comment on the module's first empty line from the middle on (an
incremental ``didChange``) and waits for the diagnostics. The figure is the
server's own: from the moment it processes the change (after the debounce) to
the moment the diagnostics are written, as its timing log reports it, with the
processor time of the analysis thread beside it (on a busy machine the wall
time is the processor time plus the waiting for a core). The client's view
(the change sent -> the diagnostics received, minus the debounce) is printed
too. Printed: median, 90th percentile and worst, in milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path

ROOT = Path(__file__).resolve().parent.parent
TIMING = re.compile(
    r"timing: (\w+) \S+: diagnostics published ([0-9.]+) ms .*?\(analysis ([0-9.]+) ms, ([0-9.]+) ms of processor time, "
    r".*?(\d+) analysed"
)


def module_text(lines_wanted: int) -> str:
    """A plugin module of about ``lines_wanted`` lines, honest code but for one shell call at the end."""
    out = [
        '"""A large plugin module: records, a store and the commands that use them."""',
        "",
        "from __future__ import annotations",
        "",
        "import json",
        "import logging",
        "import subprocess",
        "from dataclasses import dataclass, field",
        "from pathlib import Path",
        "from typing import Any",
        "",
        "log = logging.getLogger(__name__)",
    ]
    i = 0
    while len(out) < lines_wanted - 4:
        out += [
            "",
            "",
            "@dataclass",
            f"class Record{i}:",
            f'    """Record kind {i}."""',
            "",
            "    name: str",
            "    count: int = 0",
            "    tags: list[str] = field(default_factory=list)",
            "",
            "    def describe(self) -> str:",
            "        return f\"{self.name} ({self.count}): {', '.join(sorted(self.tags))}\"",
            "",
            "    def to_json(self) -> dict[str, Any]:",
            "        data = {'name': self.name, 'count': self.count, 'tags': list(self.tags)}",
            f"        if self.count > {i}:",
            "            data['large'] = True",
            "        return data",
            "",
            "",
            f"def load_{i}(path: Path) -> list[Record{i}]:",
            f'    """Records of kind {i} from a JSON file."""',
            "    try:",
            "        raw = json.loads(path.read_text(encoding='utf-8'))",
            "    except (OSError, ValueError) as exc:",
            "        log.warning('cannot read %s: %s', path, exc)",
            "        return []",
            f"    return [Record{i}(item['name'], int(item.get('count', 0))) for item in raw if isinstance(item, dict)]",
        ]
        i += 1
    out += ["", "", "def run(command: str) -> None:", "    subprocess.run(command, shell=True, check=False)"]
    return "\n".join(out) + "\n"


class Bench:
    def __init__(self, workspace: Path) -> None:
        self.workspace = workspace
        self.client = LanguageClient("mbcheck-bench", "1")
        self.diagnostics: asyncio.Queue[tuple[float, str, int]] = asyncio.Queue()
        self.timings: asyncio.Queue[tuple[str, float, float, float, int]] = asyncio.Queue()

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: types.PublishDiagnosticsParams) -> None:
            self.diagnostics.put_nowait((time.perf_counter(), params.uri, len(params.diagnostics)))

        @self.client.feature(types.WINDOW_LOG_MESSAGE)
        def logged(params: types.LogMessageParams) -> None:
            match = TIMING.search(params.message)
            if match:
                trigger, published_ms, analysis_ms, cpu_ms, analysed = match.groups()
                self.timings.put_nowait((trigger, float(published_ms), float(analysis_ms), float(cpu_ms), int(analysed)))

    async def wait_for(self, uri: str) -> tuple[float, int]:
        while True:
            when, where, count = await asyncio.wait_for(self.diagnostics.get(), 300)
            if where == uri:
                return when, count


async def run(lines: int, edits: int, debounce_ms: int, source: Path | None) -> int:
    with tempfile.TemporaryDirectory(prefix="mbcheck-lsp-bench-") as tmp:
        workspace = Path(tmp)
        plugin = workspace / "hello_world"
        shutil.copytree(ROOT / "examples" / "plugins" / "hello_world", plugin)
        text = module_text(lines) if source is None else source.read_text(encoding="utf-8")
        module = plugin / "records.py"
        module.write_text(text, encoding="utf-8")
        uri = from_fs_path(str(module)) or ""
        assert uri
        bench = Bench(workspace)
        await bench.client.start_io(sys.executable, "-P", "-m", "mbcheck", "server", "--log-timings",
                                    "--debounce", str(debounce_ms), cwd=str(workspace))
        await bench.client.initialize_async(types.InitializeParams(
            process_id=None, root_uri=from_fs_path(str(workspace)), capabilities=types.ClientCapabilities()))
        bench.client.initialized(types.InitializedParams())
        opened = time.perf_counter()
        bench.client.text_document_did_open(types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)))
        arrived, count = await bench.wait_for(uri)
        first = await asyncio.wait_for(bench.timings.get(), 300)
        print(f"{len(text.splitlines())}-line module, {count} diagnostics; first analysis: "
              f"{first[1]:.0f} ms in the server ({(arrived - opened) * 1000:.0f} ms as the client saw it)")
        # the edited line: the first empty one from the middle of the module on (a comment there
        # keeps any module valid Python)
        all_lines = text.splitlines()
        target = next((n for n in range(len(all_lines) // 2, len(all_lines)) if not all_lines[n].strip()),
                      len(all_lines) // 2)
        line = current = all_lines[target]
        server: list[float] = []
        analysis: list[float] = []
        cpu: list[float] = []
        client: list[float] = []
        for edit in range(edits):
            # change one line in the middle: a comment that differs every time (no text seen before)
            new = f"{line}# edit {edit}" if not line.strip() else f"{line}  # edit {edit}"
            old_end = len(current)
            current = new
            sent = time.perf_counter()
            bench.client.text_document_did_change(types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=edit + 2),
                content_changes=[types.TextDocumentContentChangePartial(
                    range=types.Range(types.Position(target, 0), types.Position(target, old_end)), text=new)],
            ))
            arrived, _count = await bench.wait_for(uri)
            trigger, published_ms, analysis_ms, cpu_ms, analysed = await asyncio.wait_for(bench.timings.get(), 300)
            assert trigger == "didChange" and analysed == 1, (trigger, analysed)
            server.append(published_ms)
            analysis.append(analysis_ms)
            cpu.append(cpu_ms)
            client.append((arrived - sent) * 1000 - debounce_ms)
            await asyncio.sleep(0.2)
        await bench.client.shutdown_async(None)
        bench.client.exit(None)
        await bench.client.stop()

    def summary(values: list[float]) -> str:
        ordered = sorted(values)
        p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
        return f"median {statistics.median(ordered):6.0f}  p90 {p90:6.0f}  worst {ordered[-1]:6.0f}"

    print(f"{edits} edits, debounce {debounce_ms} ms; milliseconds:")
    print(f"  server: change processed -> diagnostics published  {summary(server)}")
    print(f"  server: of which the engine's run                  {summary(analysis)}")
    print(f"  server: the run's processor time (the thread's)    {summary(cpu)}")
    print(f"  client: change sent -> diagnostics received, minus the debounce  {summary(client)}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=2000, help="lines of the generated module")
    parser.add_argument("--edits", type=int, default=20, help="changes to time")
    parser.add_argument("--debounce", type=int, default=150, help="the server's debounce, in milliseconds")
    parser.add_argument("--module", type=Path, default=None,
                        help="edit a copy of this Python file instead of the generated module (real code)")
    args = parser.parse_args()
    return asyncio.run(run(args.lines, args.edits, args.debounce, args.module))


if __name__ == "__main__":
    sys.exit(main())
