"""Publish an exported notes archive to the user's own server over SFTP (paramiko)."""
# declares: network
from __future__ import annotations

from pathlib import Path

import paramiko


def publish(archive: Path, host: str, user: str, remote_dir: str = "notes") -> str:
    client = paramiko.SSHClient()
    client.load_system_host_keys()
    client.connect(host, username=user, timeout=10)
    try:
        sftp = client.open_sftp()
        target = f"{remote_dir}/{archive.name}"
        sftp.put(str(archive), target)
        return target
    finally:
        client.close()
