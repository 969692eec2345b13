# technique: mouse hook to detect a real user (also used as a sandbox check)
# class: desktop
# source: Checkmarx, sandbox-evading PyPI malware waiting for mouse movement
# declares:
from pynput import mouse


def wait_for_user():
    with mouse.Listener(on_move=lambda x, y: False) as lst:
        lst.join()
