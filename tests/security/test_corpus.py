"""Recall and precision of the gate on a corpus of malicious techniques and honest modules.

``malicious/NNN_<technique>.py`` (or a directory of files): one technique of a real
malicious package each, written from a public write-up named in its header. Each
header says the technique's ``class``, its ``source``, the permissions the
attacker's cover story would declare in ``plugin.yaml`` (``# declares:``) and,
for look-alike dependencies, what the manifest requires (``# requires:``).

``honest/<name>.py``: modules that use the same APIs for good reasons, each with
the permissions it declares.

Every sample becomes a plugin in a temporary directory: the example manifest
(the sample's name, its declared permissions, the third-party distributions its
code imports as a packaged plugin would list them), the example ``__init__.py``,
and the sample as ``core.py`` (a directory sample's files keep their paths).
All plugins are checked at once with the default configuration and judged by
:func:`mbcheck.api.admit` with the default policy, as a host would. A malicious
sample counts as caught when the gate refuses it for a security reason (a
security finding it blocks, or a permission the code uses but does not declare);
an honest module must have no finding at warning or error and be admitted.

``pytest -s tests/security/test_corpus.py`` prints recall per class, the samples
still admitted, and precision on the honest modules. The samples are data: they
are parsed, never imported or run.
"""

from __future__ import annotations

import ast
import re
import shutil
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from helpers import run, write_plugin
from mbcheck.api import Policy, admit
from mbcheck.checks.deps.names import distribution_for_import, load_import_map
from mbcheck.model import Category, PluginReport, Report, Severity
from mbcheck.rules.base import EXAMPLE_INIT, EXAMPLE_MANIFEST

HERE = Path(__file__).parent
MALICIOUS = HERE / "malicious"
HONEST = HERE / "honest"
HEADER = re.compile(r"^#\s*(technique|class|source|declares|requires):\s*(.*?)\s*$")
#: the recall the gate must reach on the malicious samples, with the default policy
MIN_RECALL = 0.95
@dataclass(frozen=True)
class Sample:
    """One corpus entry: where it is, what it claims, and the files of its plugin."""

    source: Path
    kind: str  # "malicious" or "honest"
    klass: str
    technique: str
    cited: str
    declares: tuple[str, ...]
    requires: tuple[str, ...]
    files: dict[str, str]

    @property
    def plugin_name(self) -> str:
        stem = re.sub(r"\W", "_", self.source.stem)
        return ("m" if self.kind == "malicious" else "h_") + stem


def _source_files(source: Path) -> dict[str, str]:
    if source.is_dir():
        return {
            p.relative_to(source).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(source.rglob("*"))
            if p.is_file()
        }
    return {"core.py": source.read_text(encoding="utf-8")}


def _headers(files: dict[str, str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for text in files.values():
        for line in text.splitlines()[:8]:
            match = HEADER.match(line)
            if match is not None:
                found.setdefault(match.group(1), match.group(2))
    return found


def _names(value: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in value.split(",") if p.strip())


def load_sample(source: Path, kind: str) -> Sample:
    files = _source_files(source)
    head = _headers(files)
    return Sample(
        source=source,
        kind=kind,
        klass=head.get("class", "honest" if kind == "honest" else "?"),
        technique=head.get("technique", ""),
        cited=head.get("source", ""),
        declares=_names(head.get("declares", "")),
        requires=_names(head.get("requires", "")),
        files=files,
    )


def _third_party(files: dict[str, str]) -> set[str]:
    """The distributions a packaged plugin would list for the modules its code imports."""
    table = load_import_map()
    local = {Path(rel).stem for rel in files} | {Path(rel).parts[0] for rel in files}
    out: set[str] = set()
    for rel, text in files.items():
        if not rel.endswith(".py"):
            continue
        for node in ast.walk(ast.parse(text)):
            modules: list[str] = []
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            for module in modules:
                top = module.split(".")[0]
                if top in sys.stdlib_module_names or top in local or top in {"milkbottle", "setuptools"}:
                    continue
                out.update(distribution_for_import(module, table)[:1])
    return out


def plugin_files(sample: Sample) -> dict[str, str]:
    manifest = EXAMPLE_MANIFEST.replace("name: example", f"name: {sample.plugin_name}")
    manifest += f"permissions: [{', '.join(sample.declares)}]\n"
    dependencies = sorted(_third_party(sample.files) | set(sample.requires))
    if dependencies:
        manifest += "dependencies:\n" + "".join(f"  - {d}\n" for d in dependencies)
    init = EXAMPLE_INIT.replace("def get_dependencies(self) -> list[str]:\n        return []",
                                f"def get_dependencies(self) -> list[str]:\n        return {dependencies!r}")
    if "core.py" in sample.files:
        # the plugin's command module, imported when the host asks for the CLI
        init = init.replace("def get_cli(self) -> Any:\n        return None",
                            "def get_cli(self) -> Any:\n        from . import core\n\n        return core")
    files = {"plugin.yaml": manifest, "__init__.py": init}
    files.update(sample.files)
    return files


def load_corpus(folder: Path, kind: str) -> list[Sample]:
    entries = sorted(p for p in folder.iterdir() if p.suffix == ".py" or p.is_dir())
    return [load_sample(p, kind) for p in entries if p.name != "__pycache__"]


@dataclass(frozen=True)
class Verdict:
    sample: Sample
    plugin: PluginReport
    allowed: bool
    reasons: tuple[str, ...]

    @property
    def security_refusal(self) -> list[str]:
        """The reasons the gate refuses the plugin that are about what its code does."""
        own: list[str] = []
        for finding in self.plugin.findings:
            if finding.category is Category.SECURITY and finding.severity.rank >= Severity.ERROR.rank:
                own.append(f"{finding.rule}@{finding.span.path}:{finding.span.line}")
        own.extend(r for r in self.reasons if r.startswith("the plugin uses permission"))
        return own if not self.allowed else []


@pytest.fixture(scope="session")
def judged(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Verdict]]:
    """Every sample checked in one run and judged by the gate with the default policy."""
    base = tmp_path_factory.mktemp("security_corpus")
    samples = {"malicious": load_corpus(MALICIOUS, "malicious"), "honest": load_corpus(HONEST, "honest")}
    roots: dict[str, Path] = {}
    for group in samples.values():
        for sample in group:
            roots[sample.plugin_name] = write_plugin(base, plugin_files(sample), name=sample.plugin_name)
    report: Report = run(list(roots.values()))
    assert not report.errors, report.errors
    by_name = {p.name: p for p in report.plugins}
    policy = Policy()
    verdicts: dict[str, list[Verdict]] = {}
    for kind, group in samples.items():
        for sample in group:
            plugin = by_name[sample.plugin_name]
            decision = admit(roots[sample.plugin_name], report, policy)
            verdicts.setdefault(kind, []).append(Verdict(sample, plugin, decision.allowed, decision.reasons))
    shutil.rmtree(base, ignore_errors=True)
    return verdicts


def test_the_corpus_is_large_and_every_sample_names_its_source(judged: dict[str, list[Verdict]]) -> None:
    malicious = [v.sample for v in judged["malicious"]]
    honest = [v.sample for v in judged["honest"]]
    assert len(malicious) >= 150
    assert len(honest) >= 20
    for sample in malicious:
        assert sample.klass != "?" and sample.technique and sample.cited, f"{sample.source.name}: incomplete header"
    # the cover story matters: many samples declare what their APIs need, so that only
    # behaviour can refuse them
    declaring = [s for s in malicious if s.declares]
    assert len(declaring) * 3 >= len(malicious)


def test_samples_are_parsed_never_imported(judged: dict[str, list[Verdict]]) -> None:
    for verdicts in judged.values():
        for verdict in verdicts:
            assert verdict.sample.plugin_name not in sys.modules
            assert "core" not in sys.modules
            for rel, text in verdict.sample.files.items():
                if rel.endswith(".py"):
                    ast.parse(text, filename=f"{verdict.sample.source}/{rel}")


def test_recall_on_malicious_samples(judged: dict[str, list[Verdict]]) -> None:
    verdicts = judged["malicious"]
    per_class: Counter[str] = Counter()
    caught: Counter[str] = Counter()
    admitted: list[str] = []
    for verdict in verdicts:
        per_class[verdict.sample.klass] += 1
        if verdict.security_refusal:
            caught[verdict.sample.klass] += 1
        else:
            seen = sorted({f"{f.rule}({f.severity.value})" for f in verdict.plugin.findings if f.category is Category.SECURITY})
            admitted.append(f"{verdict.sample.klass:16} {verdict.sample.source.name}  {' '.join(seen) or '-'}")
    total, hits = sum(per_class.values()), sum(caught.values())
    recall = hits / total
    lines = ["", "recall per class (refused by admit() with the default policy, for a security reason):"]
    for klass in sorted(per_class):
        lines.append(f"  {klass:16} {caught[klass]:3}/{per_class[klass]:<3} {caught[klass] / per_class[klass]:6.0%}")
    lines.append(f"  {'all':16} {hits:3}/{total:<3} {recall:6.1%}")
    lines.append(f"admitted malicious samples ({len(admitted)}):")
    lines.extend(f"  {line}" for line in admitted)
    print("\n".join(lines))
    assert recall >= MIN_RECALL, "\n".join(lines)


def test_precision_on_honest_modules(judged: dict[str, list[Verdict]]) -> None:
    verdicts = judged["honest"]
    noisy: list[str] = []
    refused: list[str] = []
    for verdict in verdicts:
        for finding in verdict.plugin.findings:
            if finding.severity.rank >= Severity.WARNING.rank:
                noisy.append(f"{verdict.sample.source.name}: {finding.rule} {finding.span.path}:{finding.span.line} {finding.message}")
        if not verdict.allowed:
            refused.append(f"{verdict.sample.source.name}: {'; '.join(verdict.reasons)}")
    quiet = sum(1 for v in verdicts if not any(f.severity.rank >= Severity.WARNING.rank for f in v.plugin.findings))
    summary = f"precision: {quiet}/{len(verdicts)} honest modules without a warning or error ({quiet / len(verdicts):.0%})"
    print(f"\n{summary}")
    for line in noisy:
        print(f"  {line}")
    assert not noisy, summary + "\n" + "\n".join(noisy)
    assert not refused, "\n".join(refused)
