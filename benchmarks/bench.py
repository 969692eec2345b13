"""Benchmark mbcheck against bandit and Fixit on a corpus of real plugin code.

Usage:
    python benchmarks/bench.py                     # both pinned corpora (corpus.lock, corpus2.lock)
    python benchmarks/bench.py --corpus DIR        # ... and a directory (e.g. an application tree)
    python benchmarks/bench.py --sets default      # only the default corpus
    python benchmarks/bench.py --sets none --corpus DIR   # only the directory
    python benchmarks/bench.py --scale 1 2 4       # linearity: 1x, 2x, 4x copies of each corpus
    python benchmarks/bench.py --compare REV       # also time mbcheck as of git revision REV

Three kinds of corpus are measured in one run: the default corpus of plugin
packages (``corpus.lock``), a second corpus of other plugin packages with large
generated files and many small files (``corpus2.lock``), and any directory given
with ``--corpus`` (the MilkBottle host repository is not on PyPI, so it is given
as a path and checked as the bottle distribution it is). Fixit runs at the
version pinned in :data:`FIXIT_VERSION`, installed into a cached virtual
environment when the one on ``PATH`` is another version. After the corpora, the
pre-commit hook is timed on a 50-file plugin as the hook runs it.

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
#: the pinned corpora by name (``--sets``)
CORPUS_SETS = {"default": LOCK, "second": Path(__file__).with_name("corpus2.lock")}
#: the Fixit release the comparison runs
FIXIT_VERSION = "2.2.1"
#: where a pinned Fixit is installed when the one on PATH is another version
TOOLS_DIR = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "mbcheck-dev" / "bench-tools"
#: the goals a cold check is measured against
GOALS = {"cold x bandit": 1.0, "warm x bandit": 0.05, "fixit / mbcheck": 10.0, "peak MB": 300.0}
#: how much faster than the corpus a cold check's time may grow and still count as linear
LINEAR_SLACK = 1.15
#: the pre-commit goals, in seconds
PRECOMMIT_GOALS = {
    "mbcheck --version": 0.1,
    "pre-commit: nothing changed": 0.25,
    "pre-commit: one file changed": 0.6,
    "pre-commit: empty cache": 1.0,
}

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
    if result.returncode != 0 and measure.name.startswith("mbcheck") and "--version" not in measure.argv:
        # the lint runs are given `--fail-on never`: any other exit is an error, not a check
        raise SystemExit(f"{measure.name}: exit status {result.returncode}: {' '.join(measure.argv)}")
    if measure.best is None or result.seconds < measure.best.seconds:
        measure.best = result
    return result


def run_rounds(measures: list[Measure], cwd: Path, repeat: int) -> None:
    """Every measure once per round, rounds repeated: a slow spell of a shared
    machine then hits all tools alike, and each keeps its best run."""
    for _ in range(repeat):
        for measure in measures:
            run_once(measure, cwd)


def download_corpus(target: Path, packages: tuple[str, ...], lock: Path | None = LOCK) -> None:
    wheels = target / "_wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    if lock is not None and lock.is_file():
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:", "--require-hashes",
             "-q", "-d", str(wheels), "-r", str(lock)],
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


def scaled(corpus: Path, factor: int, work: Path, *, whole: bool = False) -> Path:
    """``factor`` copies of a corpus: of each package directory of a pinned corpus, or of
    the whole tree (``whole``: an application tree is one distribution, checked as one)."""
    if factor == 1:
        return corpus
    target = work / f"corpus_x{factor}"
    if not target.exists():
        for copy in range(factor):
            if whole:
                shutil.copytree(corpus, target / f"{corpus.name}_{copy}", symlinks=True)
                continue
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


def ensure_fixit(bindir: Path) -> str | None:
    """A ``fixit`` executable of the pinned version: the one on PATH, or one installed for the benchmark."""
    for candidate in (shutil.which("fixit", path=str(bindir)), shutil.which("fixit"),
                      str(TOOLS_DIR / f"fixit-{FIXIT_VERSION}" / "bin" / "fixit")):
        if candidate and Path(candidate).exists():
            out = subprocess.run([candidate, "--version"], capture_output=True, text=True, check=False).stdout
            if FIXIT_VERSION in out:
                return candidate
    venv = TOOLS_DIR / f"fixit-{FIXIT_VERSION}"
    print(f"installing fixit=={FIXIT_VERSION} into {venv} ...", file=sys.stderr)
    made = subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], capture_output=True, check=False)
    if made.returncode == 0:
        subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", f"fixit=={FIXIT_VERSION}"],
                       capture_output=True, check=False)
    executable = venv / "bin" / "fixit"
    if executable.exists():
        return str(executable)
    print(f"fixit=={FIXIT_VERSION} could not be installed; the Fixit comparison is left out", file=sys.stderr)
    return None


def measure_corpus(label: str, corpus: Path, args: argparse.Namespace, work: Path,
                   mbcheck: list[str], bandit: str | None, fixit: str | None) -> list[str]:
    """Time every tool on one corpus (each scale); print the table; return the goals not met."""
    missed: list[str] = []
    #: cold wall seconds per scale factor (the linearity check)
    colds: dict[int, float] = {}
    for factor in args.scale:
        tree = scaled(corpus, factor, work / label, whole=label not in CORPUS_SETS)
        files, size = count_files(tree)
        cache = work / f"cache_{label}_x{factor}"
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
        print(f"\n{label} x{factor}: {files} files, {size / 1e6:.1f} MB of Python, {os.cpu_count()} cores")
        print(f"{'tool':<34} {'wall s':>8} {'x bandit':>9} {'files/s':>9} {'peak MB':>8}")
        for result in results:
            ratio = f"{result.seconds / base:.2f}" if base else "-"
            print(f"{result.name:<34} {result.seconds:8.2f} {ratio:>9} {files / result.seconds:9.0f} {result.peak_mb:8.0f}")
        mb = next(r for r in results if r.name == "mbcheck cold (no cache)")
        colds[factor] = mb.seconds
        warm = next(r for r in results if r.name == "mbcheck warm (nothing changed)")
        fx = next((r for r in results if r.name == "fixit lint"), None)
        peak = max(r.peak_mb for r in results if r.name.startswith("mbcheck"))
        figures = {"peak MB": peak}
        if base:
            figures["cold x bandit"] = mb.seconds / base
            figures["warm x bandit"] = warm.seconds / base
        if fx is not None:
            figures["fixit / mbcheck"] = fx.seconds / mb.seconds
            print(f"mbcheck cold is {fx.seconds / mb.seconds:.1f}x faster than fixit {FIXIT_VERSION}")
        for goal, value in figures.items():
            target = GOALS[goal]
            met = value >= target if goal == "fixit / mbcheck" else value <= target
            relation = ">=" if goal == "fixit / mbcheck" else "<="
            print(f"goal {goal} {relation} {target:g}: {value:.2f} {'met' if met else 'NOT met'}")
            if not met:
                missed.append(f"{label} x{factor}: {goal} {value:.2f} (goal {relation} {target:g})")
    if len(colds) > 1:
        first = min(colds)
        parts = []
        for factor, seconds in sorted(colds.items()):
            growth = (seconds / colds[first]) / (factor / first)  # 1.0: exactly linear
            parts.append(f"x{factor} {seconds:.2f} s ({growth:.2f} of linear)")
            if growth > LINEAR_SLACK:
                missed.append(f"{label} x{factor}: cold grows {growth:.2f}x faster than the corpus")
        print(f"\n{label}: cold check by corpus size: " + ", ".join(parts)
              + f"; goal linear (each <= {LINEAR_SLACK:g})")
    return missed


def precommit_plugin(corpus: Path, target: Path, count: int = 50) -> list[str]:
    """A plugin of ``count`` modules taken from the corpus; the relative paths the hook is given."""
    # ordinary modules (generated tables of hundreds of KB are measured with the corpora)
    sources = sorted(p for p in corpus.rglob("*.py") if p.stat().st_size < 100_000)
    package = target / "precommit_plugin"
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text('"""A plugin made of corpus modules."""\n', encoding="utf-8")
    names = ["precommit_plugin/__init__.py"]
    for index, source in enumerate(p for p in sources if p.name != "__init__.py"):
        if len(names) >= count:
            break
        name = f"module_{index:02d}.py"
        shutil.copyfile(source, package / name)
        names.append(f"precommit_plugin/{name}")
    return names


def measure_precommit(corpus: Path, work: Path, mbcheck: list[str], repeat: int) -> list[str]:
    """The hook as pre-commit runs it, on a 50-file plugin: start-up, warm, one file changed, empty cache."""
    repo = work / "precommit-repo"
    files = precommit_plugin(corpus, repo)
    cache = work / "cache_precommit"
    env = {**os.environ, "MBCHECK_CACHE_DIR": str(cache)}
    hook = [*mbcheck, "lint", "--profile", "pre-commit", *files]
    clear = [sys.executable, "-c", f"import shutil; shutil.rmtree({str(cache)!r}, True)"]
    edited = repo / files[-1]
    touch = [sys.executable, "-c",
             f"import time, pathlib; p = pathlib.Path({str(edited)!r}); "
             "p.write_text(p.read_text(encoding='utf-8', errors='replace') + f'\\n# edit {time.time_ns()}\\n', encoding='utf-8')"]
    measures = [
        Measure("mbcheck --version", [*mbcheck, "--version"], env=env),
        Measure("pre-commit: empty cache", hook, env=env, prepare=clear),
        Measure("pre-commit: nothing changed", hook, env=env),
        Measure("pre-commit: one file changed", hook, env=env, prepare=touch),
    ]
    run_once(measures[1], repo)  # fill the cache once before the rounds
    run_rounds(measures, repo, repeat)
    print(f"\npre-commit hook on a {len(files)}-file plugin (best of {repeat})")
    missed: list[str] = []
    for measure in measures:
        assert measure.best is not None
        goal = PRECOMMIT_GOALS[measure.name]
        met = measure.best.seconds <= goal
        print(f"{measure.name:<34} {measure.best.seconds:8.3f} s  goal <= {goal:g} s  {'met' if met else 'NOT met'}")
        if not met:
            missed.append(f"{measure.name}: {measure.best.seconds:.3f} s (goal <= {goal:g} s)")
    return missed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, action="append", default=[],
                        help="also measure this directory (repeatable), e.g. an application tree")
    parser.add_argument("--sets", default="default,second",
                        help="pinned corpora to download and measure: default, second, or none")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scale", type=int, nargs="*", default=[1])
    parser.add_argument("--jobs", type=int, default=0, help="mbcheck --jobs (0 = all cores)")
    parser.add_argument("--no-fixit", action="store_true", help="skip Fixit (it takes minutes)")
    parser.add_argument("--no-precommit", action="store_true", help="skip the pre-commit measurements")
    parser.add_argument("--compare", action="append", default=[], metavar="REV",
                        help="also time mbcheck as of this git revision, in the same rounds (repeatable)")
    args = parser.parse_args()
    # the tools run as installed tools run: their modules' bytecode cached on disk (a
    # shell that forbids writing it would time the compilation of every changed module)
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    sets = [name for name in args.sets.split(",") if name and name != "none"]
    unknown = [name for name in sets if name not in CORPUS_SETS]
    if unknown:
        parser.error(f"unknown corpus set(s): {', '.join(unknown)} (known: {', '.join(CORPUS_SETS)}, none)")
    for path in args.corpus:
        if not path.is_dir():
            parser.error(f"--corpus {path}: not a directory")
    if not sets and not args.corpus:
        parser.error("nothing to measure: give --sets or --corpus")

    bindir = Path(sys.executable).parent
    mbcheck = [str(bindir / "mbcheck")] if (bindir / "mbcheck").exists() else [sys.executable, "-m", "mbcheck"]
    bandit = shutil.which("bandit", path=str(bindir)) or shutil.which("bandit")
    fixit = None if args.no_fixit else ensure_fixit(bindir)

    missed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="mbcheck-bench-") as tmp:
        work = Path(tmp)
        corpora: list[tuple[str, Path]] = []
        for name in sets:
            target = work / f"corpus-{name}"
            print(f"downloading the {name} corpus ({CORPUS_SETS[name].name}) with pip ...", file=sys.stderr)
            download_corpus(target, (), CORPUS_SETS[name])
            corpora.append((name, target))
        corpora.extend((path.resolve().name, path.resolve()) for path in args.corpus)
        for label, corpus in corpora:
            (work / label).mkdir(exist_ok=True)
            missed.extend(measure_corpus(label, corpus, args, work, mbcheck, bandit, fixit))
        if not args.no_precommit:
            missed.extend(measure_precommit(corpora[0][1], work, mbcheck, max(args.repeat, 3)))
    print("\nall goals met" if not missed else "\ngoals not met:\n  " + "\n  ".join(missed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
