# ruff: noqa
# permissions: subprocess, dynamic-code
"""Names spelled in full-width and mathematical letters, which Python NFKC-normalises.

Technique: PEP 3131 normalisation used to hide `exec`/`eval` from text search, as in the
"Unicode identifiers" evasion write-ups (e.g. Checkmarx, "Python obfuscation with Unicode", 2023).
"""
import ｓｕｂｐｒｏｃｅｓｓ  # attack: MB360
import os


def run(payload):
    ｅｖａｌ(payload)  # attack: MB360
    𝑒𝑥𝑒𝑐(payload)  # attack: MB311
    os.ｓｙｓｔｅｍ(payload)  # attack: MB310
    ｓｕｂｐｒｏｃｅｓｓ.Popen(payload, shell=True)  # attack: MB310
