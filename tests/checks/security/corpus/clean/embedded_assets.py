# permissions: fs-write
"""Embedded assets an honest plugin ships in code: an icon, digests, a key, messages."""

from __future__ import annotations

import base64
import hashlib
import uuid
from pathlib import Path

ICON_PNG = (
    'iVBORw0KGgoAAAANSUhEUgAAAAoAAAAKCAYAAACNMs+9AAABpUlEQVR4nAGaAWX+ADinzUQ9Uy+t'
    'b6ayGBqZUvJVrNU5cM/b9SsUVr2mN+KRc0U5yR4Ih/UAMFDO1taTLt1HV87TpBXOnliWIWtKhMvZ'
    'RXZYompKa5FoCetpJzMBegDx1eGf/IJvj/P87bc4CL501sCpv4T2SYtX4zrcEduW+Ekezz4LCOfN'
    'ALGD7DLl4uZukwwDe74eK4BMPakFholpDfDpnB1XIED43Ip6z8gPWjgAMh+I49EeKz3KRuvjziDS'
    '6wF8oJLcZgzBRT9EnoaFbA15UsbRANsOxgAgCx8MEXv5CNq2FoOAfVAoUBJZYqVjlk1cQzD8VG0f'
    'II4At7lhyxSRAC0KX3WapsiKYaLNC5/ibg1foH/Cs1Br87FrdQQ+N4lFsZcSzWw5bSEA4QfvU1/4'
    '5Y/K3kMfdrAf8NC7qdnjh8pgqhu7UZCIGs+WtwF5JDzGYwALhheQGajhYC3RBlfX2h8G2B2se9ay'
    '80iUTMwWCf/EkIKHtz0bjb8ZAO+ND4xT3pAu0xM9/y6lP3Sds8DxZEBemWXwWY5r9xVggDz57WnX'
    'v/eSPcUE38S6lAAAAABJRU5ErkJggg=='
)

#: sha256 of the release files this plugin downloads
RELEASES = {
    "tool-1.2.0.tar.gz": "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb",
    "tool-1.2.0-py3-none-any.whl": "3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d",
}
SIGNING_KEY = """-----BEGIN PUBLIC KEY-----
MIIBIjyXiyFe6pp5oJQQmwPo1nhCjTsx/rd4itaMeWWj3CY7oibe7YVjvQOrxhAo
wvWXCk3HB9LdRHmYuOvgY7bJ621lus2TcfbvIuBdGAkifjdC96xvx6DaTWuB1WKS
WYiVaJU751au6u0H20f9m6uyKbLcU/aK55KRGranNqLU/JJESB8Qe9qj/XsWWMwR
aeUmBUttxGrfHguancILYLeWVI3h7PtHgTz/CU8BExuZiQjyMvhoSpxDJ7AK+t5W
UFz1I+XcYGB13oVipN2Yro8anvnwz4FFbqK4tzzvTW/6QoVNjFYCyWr8lFAFYJ2W
oSIPoqBVd1qt6lqbtEe8fQWWD/StBfZeQKB0TJeZUS1dL1DCXtiYQ0zJYBrF0Ab4
ka+8IU+A
-----END PUBLIC KEY-----
"""
PLUGIN_ID = uuid.UUID("00000000-0000-0000-ab54-a98ceb1f0ad2")
RECORD = """\
tool/__init__.py,sha256=LXEWQrcmsEQBYnyp-6wy9chTD7GQPMTbAiWHF5IaSIE,1234
tool/cli.py,sha256=ofzkNjhU_4iM_0uOeHXWAMJoI5BBKoz3mzfQsRFIsPo,5678
"""
__all__ = ["install_icon", "summary", "verify"]


def install_icon(target: Path) -> Path:
    """Write the plugin's icon where the host's menu looks for it."""
    path = target / "icon.png"
    path.write_bytes(base64.b64decode(ICON_PNG))
    return path


def verify(name: str, data: bytes) -> bool:
    return hashlib.sha256(data).hexdigest() == RELEASES.get(name)


def summary(count: int) -> str:
    parts = ["checked", str(count), "files;", "exports:", ", ".join(__all__)]
    return " ".join(parts)
