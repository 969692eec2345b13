"""Benchmark mbcheck against bandit and Fixit on a corpus of real plugin code.

Usage:
    python benchmarks/bench.py                     # download the pinned corpus (corpus.lock) with pip
    python benchmarks/bench.py --corpus DIR        # use a directory of plugin packages
    python benchmarks/bench.py --scale 1 2 4       # linearity: 1x, 2x, 4x copies of the corpus
    python benchmarks/bench.py --compare REV       # also time mbcheck as of git revision REV

Everything runs in this one script, side by side, on the same tree, so the
ratios are comparable even on a shared, noisy machine: bandit and the mbcheck
runs take turns, round after round (``--repeat`` rounds), and each keeps its
best run. The single-process run, the one-file change and Fixit run once. Printed: wall time, ratio to bandit, files per
second and peak resident memory (the largest single process).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

#: the corpus pinned: ``name==version --hash=sha256:...`` of each package's wheel
LOCK = Path(__file__).with_name("corpus.lock")

#: plugin packages of several ecosystems (flake8, pytest, mkdocs, sphinx, datasette)
DEFAULT_PACKAGES = (
    "flake8-bugbear", "flake8-comprehensions", "flake8-bandit", "flake8-docstrings", "flake8-print",
    "pytest-cov", "pytest-xdist", "pytest-mock", "pytest-asyncio", "pytest-timeout", "pytest-django",
    "pytest-benchmark", "pytest-html", "pytest-randomly", "pytest-rerunfailures",
    "mkdocs-material", "mkdocs-redirects", "mkdocs-git-revision-date-localized-plugin", "mkdocstrings",
    "mkdocs-macros-plugin", "sphinx-autodoc-typehints", "sphinx-copybutton", "sphinx-design",
    "sphinxcontrib-mermaid", "sphinx-click", "datasette-cluster-map", "datasette-vega", "datasette-graphql",
    "datasette-auth-tokens", "datasette-leaflet", "pluggy", "stevedore", "typer", "click", "rich",
    "httpx", "requests", "attrs", "jinja2", "markdown",
)


@dataclass
class Result:
    name: str
    seconds: float
    peak_mb: float
    returncode: int


@dataclass
class Measure:
    """One command to time: its best run is kept."""

    name: str
    argv: list[str]
    env: dict[str, str] | None = None
    prepare: list[str] | None = None
    best: Result | None = None


def run_once(measure: Measure, cwd: Path) -> Result:
    if measure.prepare:
        subprocess.run(measure.prepare, cwd=cwd, capture_output=True, env=measure.env, check=False)
    before = time.perf_counter()
    process = subprocess.Popen(
        measure.argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=measure.env
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - before
    # ru_maxrss from wait4 covers the process and the children it waited for:
    # the largest single process of the run (Linux reports kilobytes)
    result = Result(measure.name, elapsed, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status))
    if measure.best is None or result.seconds < measure.best.seconds:
        measure.best = result
    return result


def run_rounds(measures: list[Measure], cwd: Path, repeat: int) -> None:
    """Every measure once per round, rounds repeated: a slow spell of a shared
    machine then hits all tools alike, and each keeps its best run."""
    for _ in range(repeat):
        for measure in measures:
            run_once(measure, cwd)


def download_corpus(target: Path, packages: tuple[str, ...]) -> None:
    wheels = target / "_wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    if packages == DEFAULT_PACKAGES and LOCK.is_file():
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:", "--require-hashes",
             "-q", "-d", str(wheels), "-r", str(LOCK)],
            check=True, capture_output=True,
        )
        packages = ()
    for package in packages:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:", "-q", "-d", str(wheels), package],
            check=False, capture_output=True,
        )
    for wheel in sorted(wheels.glob("*.whl")):
        name = wheel.name.split("-", 1)[0].lower()
        out = target / name
        with zipfile.ZipFile(wheel) as archive:
            members = [m for m in archive.namelist() if m.endswith(".py") and ".dist-info/" not in m]
            for member in members:
                dest = out / member
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_bytes(archive.read(member))
        (out / "__init__.py").touch()  # each package is one "plugin" of the corpus
    shutil.rmtree(wheels)


def count_files(root: Path) -> tuple[int, int]:
    files = [p for p in root.rglob("*.py")]
    return len(files), sum(p.stat().st_size for p in files)


def scaled(corpus: Path, factor: int, work: Path) -> Path:
    if factor == 1:
        return corpus
    target = work / f"corpus_x{factor}"
    if not target.exists():
        for copy in range(factor):
            for child in corpus.iterdir():
                if child.is_dir():
                    shutil.copytree(child, target / f"{child.name}_{copy}")
    return target


def _revision_measures(rev: str, lint_args: list[str], work: Path, factor: int) -> list[Measure]:
    """mbcheck as of git revision ``rev`` (its source exported beside the corpus), cold and warm."""
    source = work / f"rev-{rev}"
    if not source.exists():
        source.mkdir()
        repo = Path(__file__).resolve().parent.parent
        archive = subprocess.run(["git", "-C", str(repo), "archive", rev], check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(source)], input=archive, check=True)
    cache = work / f"cache-{rev}-x{factor}"
    env = {**os.environ, "PYTHONPATH": str(source), "MBCHECK_CACHE_DIR": str(cache)}
    command = [sys.executable, "-m", "mbcheck", *lint_args]
    return [
        Measure(f"mbcheck@{rev} cold (no cache)", [*command, "--no-cache"], env=env),
        Measure(f"mbcheck@{rev} warm (nothing changed)", command, env=env),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, help="a directory of plugin packages (default: download)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scale", type=int, nargs="*", default=[1])
    parser.add_argument("--jobs", type=int, default=0, help="mbcheck --jobs (0 = all cores)")
    parser.add_argument("--no-fixit", action="store_true", help="skip Fixit (it takes minutes)")
    parser.add_argument("--compare", action="append", default=[], metavar="REV",
                        help="also time mbcheck as of this git revision, in the same rounds (repeatable)")
    args = parser.parse_args()

    bindir = Path(sys.executable).parent
    mbcheck = [str(bindir / "mbcheck")] if (bindir / "mbcheck").exists() else [sys.executable, "-m", "mbcheck"]
    bandit = shutil.which("bandit", path=str(bindir)) or shutil.which("bandit")
    fixit = None if args.no_fixit else (shutil.which("fixit", path=str(bindir)) or shutil.which("fixit"))

    with tempfile.TemporaryDirectory(prefix="mbcheck-bench-") as tmp:
        work = Path(tmp)
        corpus = args.corpus
        if corpus is None:
            corpus = work / "corpus"
            print(f"downloading {len(DEFAULT_PACKAGES)} packages with pip ...", file=sys.stderr)
            download_corpus(corpus, DEFAULT_PACKAGES)
        corpus = corpus.resolve()
        for factor in args.scale:
            tree = scaled(corpus, factor, work)
            files, size = count_files(tree)
            cache = work / f"cache_x{factor}"
            env = {**os.environ, "MBCHECK_CACHE_DIR": str(cache)}
            lint = [*mbcheck, "lint", str(tree), "--fail-on", "never", "-f", "json", "-o", os.devnull, "--jobs", str(args.jobs)]
            measures: list[Measure] = []
            if bandit:
                measures.append(Measure("bandit -r", [bandit, "-r", str(tree), "-q", "-f", "json", "-o", os.devnull]))
            measures.append(Measure("mbcheck cold (no cache)", [*lint, "--no-cache"]))
            measures.append(Measure("mbcheck cold (filling cache)", lint, env=env,
                                    prepare=[sys.executable, "-c", f"import shutil; shutil.rmtree({str(cache)!r}, True)"]))
            measures.append(Measure("mbcheck warm (nothing changed)", lint, env=env))
            for rev in args.compare:
                measures.extend(_revision_measures(rev, lint[len(mbcheck):], work, factor))
            run_rounds(measures, work, args.repeat)
            single = Measure("mbcheck cold (jobs=1)", [*lint[:-1], "1", "--no-cache"])
            run_once(single, work)
            touched = next(tree.rglob("*.py"))
            touched.write_text(touched.read_text(encoding="utf-8", errors="replace") + "\n# changed\n", encoding="utf-8")
            changed = Measure("mbcheck warm (one file changed)", lint, env=env)
            run_once(changed, work)
            extra = [single, changed]
            if fixit:
                fix = Measure("fixit lint", [fixit, "lint", str(tree)])
                run_once(fix, work)
                extra.append(fix)
            results = [m.best for m in [*measures, *extra] if m.best is not None]
            base = next((r.seconds for r in results if r.name == "bandit -r"), None)
            print(f"\ncorpus x{factor}: {files} files, {size / 1e6:.1f} MB of Python, {os.cpu_count()} cores")
            print(f"{'tool':<34} {'wall s':>8} {'x bandit':>9} {'files/s':>9} {'peak MB':>8}")
            for result in results:
                ratio = f"{result.seconds / base:.2f}" if base else "-"
                print(f"{result.name:<34} {result.seconds:8.2f} {ratio:>9} {files / result.seconds:9.0f} {result.peak_mb:8.0f}")
            mb = next(r for r in results if r.name == "mbcheck cold (no cache)")
            fx = next((r for r in results if r.name == "fixit lint"), None)
            if fx is not None:
                print(f"mbcheck cold is {fx.seconds / mb.seconds:.1f}x faster than fixit")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
