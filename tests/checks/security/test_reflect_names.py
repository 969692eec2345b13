# ruff: noqa: RUF001  (look-alike letters are what these rules are about)
"""Names as Python sees them: NFKC identifiers, reflective lookups, low-level twins, desktop, path tricks."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from helpers import run, write_plugin
from mbcheck.checks.security.tables import tables
from mbcheck.config import Config
from mbcheck.model import PluginReport
from mbcheck.resources import load_json
from mbcheck.rules.base import EXAMPLE_MANIFEST

SECURITY = Config(select=("MB3",))


def check(tmp_path: Path, code: str, files: dict[str, str] | None = None, permissions: str = "") -> PluginReport:
    manifest = EXAMPLE_MANIFEST + (f"permissions: [{permissions}]\n" if permissions else "")
    report = run(write_plugin(tmp_path, {"plugin.yaml": manifest, "__init__.py": code, **(files or {})}), SECURITY)
    assert not report.errors, report.errors
    return report.plugins[0]


def evidence(plugin: PluginReport) -> set[tuple[str, int, str]]:
    return {(e["permission"], e["line"], e["via"]) for e in plugin.permissions["evidence"]}


def rules_at(plugin: PluginReport) -> set[tuple[str, int, str]]:
    return {(f.rule, f.span.line, f.severity.value) for f in plugin.findings}


# --------------------------------------------------------------------------- the table


def test_every_stdlib_module_is_classified_once() -> None:
    data: dict[str, Any] = load_json("rules/security/permissions.json")
    with_permission = {name for name in data["modules"] if "." not in name}
    without = set(data["stdlib_without_import_permission"])
    assert not with_permission & without, with_permission & without
    unclassified = sorted(set(sys.stdlib_module_names) - with_permission - without)
    assert not unclassified, f"classify these in rules/security/permissions.json: {unclassified}"


@pytest.mark.parametrize(("name", "permission"), [
    ("posix.system", "subprocess"), ("nt.system", "subprocess"), ("posix.environ", "env"),
    ("posix.execv", "subprocess"), ("nt.spawnv", "subprocess"), ("posix.fork", "subprocess"),
    ("_posixsubprocess.fork_exec", "subprocess"), ("_socket.socket", "network"), ("_ssl._SSLContext", "network"),
    ("multiprocessing.Process", "subprocess"), ("multiprocessing.util.spawnv_passfds", "subprocess"),
    ("pty.spawn", "subprocess"), ("webbrowser.open", "subprocess"), ("os.startfile", "subprocess"),
    ("asyncio.create_subprocess_exec", "subprocess"), ("asyncio.open_connection", "network"),
    ("sqlite3.connect", "fs-write"), ("dbm.dumb.open", "fs-write"), ("logging.config.listen", "network"),
    ("requests.post", "network"), ("httpx.get", "network"), ("aiohttp.ClientSession", "network"),
    ("urllib3.PoolManager", "network"), ("websockets.connect", "network"), ("websocket.create_connection", "network"),
    ("paramiko.SSHClient", "network"), ("dns.resolver.resolve", "network"), ("aiodns.DNSResolver", "network"),
    ("boto3.client", "network"), ("smtplib.SMTP", "network"), ("ftplib.FTP", "network"),
    ("telnetlib.Telnet", "network"), ("xmlrpc.client.ServerProxy", "network"), ("imaplib.IMAP4", "network"),
    ("poplib.POP3", "network"), ("pyperclip.paste", "desktop"), ("PIL.ImageGrab.grab", "desktop"),
    ("mss.mss", "desktop"), ("pyautogui.screenshot", "desktop"), ("pyscreenshot.grab", "desktop"),
    ("d3dshot.create", "desktop"), ("pynput.keyboard.Listener", "desktop"), ("keyboard.on_press", "desktop"),
    ("pandas.read_clipboard", "desktop"), ("pkgutil.resolve_name", "dynamic-code"),
    ("site.addsitedir", "dynamic-code"), ("zipimport.zipimporter", "dynamic-code"),
])
def test_low_level_twins_and_clients(name: str, permission: str) -> None:
    found = tables().permission_of(tables().canonical(name))
    assert found is not None and found[0] == permission, (name, found)


def test_plain_modules_show_nothing() -> None:
    for name in ("os.path.join", "logging.getLogger", "json.dumps", "sqlite3.Row", "multiprocessing.cpu_count"):
        assert tables().permission_of(name) is None, name


# --------------------------------------------------------------------------- NFKC


def test_look_alike_identifiers_resolve_as_python_reads_them(tmp_path: Path) -> None:
    plugin = check(tmp_path, "import ｓｕｂｐｒｏｃｅｓｓ\nimport os\n\ndef run(c):\n    ｅｖａｌ(c)\n    𝑒𝑥𝑒𝑐(c)\n"
                             "    os.ｓｙｓｔｅｍ(c)\n")
    found = evidence(plugin)
    assert ("subprocess", 1, "subprocess") in found
    assert ("dynamic-code", 5, "builtins.eval") in found
    assert ("dynamic-code", 6, "builtins.exec") in found
    assert ("subprocess", 7, "os.system") in found
    rules = rules_at(plugin)
    assert {("MB360", 1, "error"), ("MB360", 5, "error"), ("MB360", 6, "error"), ("MB360", 7, "error")} <= rules
    assert ("MB311", 5, "error") in rules and ("MB310", 7, "error") in rules


def test_other_scripts_are_not_look_alikes(tmp_path: Path) -> None:
    plugin = check(tmp_path, "def größe(wert):\n    число = wert\n    return число\n")
    assert not [f for f in plugin.findings if f.rule == "MB360"]


# --------------------------------------------------------------------------- reflective access


@pytest.mark.parametrize(("line", "permission", "via"), [
    ("vars(os)['system'](c)", "subprocess", "os.system"),
    ("vars(posix)['sys' + 'tem'](c)", "subprocess", "os.system"),
    ("os.__dict__['sys' 'tem'](c)", "subprocess", "os.system"),
    ("os.__dict__.get('system')(c)", "subprocess", "os.system"),
    ("vars(__builtins__).get('exec')(c)", "dynamic-code", "builtins.exec"),
    ("os.__getattribute__('popen')(c)", "subprocess", "os.popen"),
    ("object.__getattribute__(os, 'system')(c)", "subprocess", "os.system"),
    ("operator.attrgetter('system')(os)(c)", "subprocess", "os.system"),
    ("operator.methodcaller('system', c)(os)", "subprocess", "os.system"),
    ("pkgutil.resolve_name('os:system')(c)", "subprocess", "os.system"),
    ("sys.modules['o' + 's'].system(c)", "subprocess", "os.system"),
    ("sys.modules.get('subprocess').run(c)", "subprocess", "subprocess.run"),
    ("globals()['__builtins__']['eval'](c)", "dynamic-code", "builtins.eval"),
    ("globals()['eval'](c)", "dynamic-code", "builtins.eval"),
    ("vars(os)[c]()", "dynamic-code", "vars()[...]"),
    ("pkgutil.resolve_name(c)()", "dynamic-code", "pkgutil.resolve_name"),
])
def test_reflective_lookups_show_what_they_reach(tmp_path: Path, line: str, permission: str, via: str) -> None:
    code = f"import os, sys, posix, operator, pkgutil\n\ndef run(c):\n    {line}\n"
    plugin = check(tmp_path, code)
    assert any(p == permission and n == 4 and v == via for p, n, v in evidence(plugin)), evidence(plugin)
    assert any(rule in ("MB361", "MB312") and n == 4 for rule, n, _ in rules_at(plugin)), rules_at(plugin)


def test_a_module_from_globals_is_that_module(tmp_path: Path) -> None:
    plugin = check(tmp_path, "import os\n\ndef run(c):\n    globals()['os'].system(c)\n")
    assert ("subprocess", 4, "os.system") in evidence(plugin)


def test_honest_namespace_lookups_stay_quiet(tmp_path: Path) -> None:
    code = ("import sys, json, operator, logging\n\ndef me():\n    return sys.modules[__name__]\n\n"
            "def handler(name):\n    return globals()[f'handle_{name}']\n\n"
            "def level(name):\n    return getattr(logging, name.upper())\n\n"
            "def names(items):\n    return sorted(items, key=operator.attrgetter('name'))\n\n"
            "def dumps(o):\n    return vars(json)['dumps'](o)\n")
    plugin = check(tmp_path, code)
    assert not [f for f in plugin.findings if f.severity.value in ("warning", "error")], plugin.findings
    assert list(plugin.permissions["inferred"]) == []


@pytest.mark.parametrize(("code", "line", "severity"), [
    ("def f():\n    return ().__class__.__base__.__subclasses__()\n", 2, "error"),
    ("def f():\n    return object.__subclasses__()\n", 2, "error"),
    ("def f(g, h):\n    g.__code__ = h.__code__\n", 2, "error"),
    ("def f(g, b):\n    return g.__code__.replace(co_code=b)\n", 2, "error"),
    ("import types\n\ndef f(*a):\n    return types.CodeType(*a)\n", 4, "error"),
    ("import timeit\ntimeit.timeit('__import__(\"os\").system(\"id\")', number=1)\n", 2, "warning"),
    ("import timeit\n\ndef f(s):\n    return timeit.Timer('x' + s).timeit()\n", 4, "error"),
    ("import code\n\ndef f(s):\n    code.InteractiveInterpreter().runsource(s)\n", 4, "error"),
    ("import importlib.machinery\n\ndef f(p):\n    return importlib.machinery.SourceFileLoader('m', p).load_module()\n",
     4, "warning"),
])
def test_code_made_at_run_time(tmp_path: Path, code: str, line: int, severity: str) -> None:
    plugin = check(tmp_path, code)
    assert ("MB362", line, severity) in rules_at(plugin), rules_at(plugin)
    assert "dynamic-code" in plugin.permissions["inferred"]


def test_subclass_registries_and_str_replace_are_not_gadgets(tmp_path: Path) -> None:
    code = ("import importlib.util, sys, types\n"
            "spec = importlib.util.find_spec('html.parser')\n"  # a stdlib copy, found by name
            "parser = importlib.util.module_from_spec(spec)\nspec.loader.exec_module(parser)\n\n"
            "def rename(code, name):\n    return code.replace(co_name=name)\n\n"
            "def rename_old(c, name):\n    return types.CodeType(c.co_argcount, c.co_code, name)\n\n"
            "class Base:\n    @classmethod\n    def all(cls):\n        return cls.__subclasses__()\n\n"
            "def clean(s):\n    return s.replace('a', 'b')\n\nimport timeit\n\ndef bench(f):\n"
            "    return timeit.timeit(f, number=3)\n")
    plugin = check(tmp_path, code)
    assert not [f for f in plugin.findings if f.rule in ("MB361", "MB362")]
    # only the table's own entry for `types.CodeType` shows dynamic-code, not the honest forms
    assert {via for p, _, via in evidence(plugin) if p == "dynamic-code"} == {"types.CodeType"}


# --------------------------------------------------------------------------- desktop


@pytest.mark.parametrize("code", [
    "import pyperclip\n\ndef steal():\n    return pyperclip.paste()\n",
    "from PIL import ImageGrab\n\ndef shot():\n    return ImageGrab.grab()\n",
    "import mss\n\ndef shot():\n    with mss.mss() as s:\n        return s.grab(s.monitors[0])\n",
    "from pynput import keyboard\n\ndef hook(cb):\n    keyboard.Listener(on_press=cb).start()\n",
    "import tkinter\n\ndef clip():\n    return tkinter.Tk().clipboard_get()\n",
    "import pandas as pd\n\ndef clip():\n    return pd.read_clipboard()\n",
])
def test_desktop_capture_is_inferred(tmp_path: Path, code: str) -> None:
    plugin = check(tmp_path, code, permissions="fs-write")
    assert "desktop" in plugin.permissions["inferred"]
    assert any(f.rule == "MB300" and "desktop" in f.message for f in plugin.findings), plugin.findings


def test_declared_desktop_is_granted(tmp_path: Path) -> None:
    plugin = check(tmp_path, "import pyperclip\n\ndef copy(t):\n    pyperclip.copy(t)\n", permissions="desktop")
    assert not [f for f in plugin.findings if f.rule in ("MB300", "MB301")]


# --------------------------------------------------------------------------- path tricks


def test_path_trick_followed_by_import(tmp_path: Path) -> None:
    plugin = check(tmp_path, "import sys\nsys.path.insert(0, 'vendor.zip')\nimport vendored\n",
                   files={"vendor.zip": "PK"})
    assert ("dynamic-code", 2, "sys.path.insert") in evidence(plugin)
    rules = rules_at(plugin)
    assert ("MB363", 2, "error") in rules and ("MB364", 2, "error") in rules


def test_path_change_without_a_later_import_is_not_a_trick(tmp_path: Path) -> None:
    plugin = check(tmp_path, "import sys\nimport json\nsys.path.append('/opt/data')\n\n"
                             "def find(project):\n    sys.path.insert(0, str(project))\n    return project\n\n"
                             "def other():\n    import csv\n    return csv\n")
    assert not [f for f in plugin.findings if f.rule in ("MB363", "MB364")]
    assert "dynamic-code" not in plugin.permissions["inferred"]


def test_site_dir_and_zipimporter(tmp_path: Path) -> None:
    plugin = check(tmp_path, "import site, zipimport\n\ndef load(p):\n    site.addsitedir(p)\n"
                             "    return zipimport.zipimporter('x.pyz').load_module('x')\n")
    rules = rules_at(plugin)
    assert ("MB363", 4, "warning") in rules and ("MB363", 5, "error") in rules
