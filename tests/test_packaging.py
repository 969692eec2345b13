"""An installed mbcheck finds its schemas and rule data without the source tree."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from helpers import EXAMPLES, ROOT


def test_wheel_ships_data_and_works_outside_the_source_tree(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist), str(ROOT)],
        capture_output=True, text=True, timeout=300,
    )
    assert build.returncode == 0, build.stderr
    wheel = next(dist.glob("mbcheck-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "mbcheck/_data/schemas/report.schema.json",
        "mbcheck/_data/schemas/plugin-manifest.schema.json",
        "mbcheck/_data/schemas/config.schema.json",
        "mbcheck/_data/rules/hosts/milkbottle-5.0.0-fb2eb2c.json",
    ):
        assert required in names, required
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)  # our own wheel, built above
    env = {**os.environ, "PYTHONPATH": str(target)}
    result = subprocess.run(
        [sys.executable, "-c", "import mbcheck.resources as r, mbcheck; print(mbcheck.__file__); print(r.data_root())"],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    module_file, data_root = result.stdout.split()
    assert module_file.startswith(str(target)) and data_root.startswith(str(target))
    lint = subprocess.run(
        [sys.executable, "-m", "mbcheck", "lint", str(EXAMPLES / "plugins" / "hello_world"), "--no-cache", "-f", "json"],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120,
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr
