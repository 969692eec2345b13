# technique: setup.py imports a sibling module whose import runs the payload
# class: install-time
# source: Checkmarx and Phylum write-ups (payload moved out of setup.py into a helper module)
# declares:
from setuptools import setup

import build_helpers  # noqa: F401

setup(name="example", version="1.0.0")
