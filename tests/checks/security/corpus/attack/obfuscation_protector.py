# ruff: noqa
"""A PyArmor-protected module: the stub that decrypts and runs the real code.

Technique from public write-ups: PyArmor-obfuscated stealers on PyPI (Fortinet
FortiGuard Labs, "Zero-day malware in PyPI packages", 2023; Phylum on the
"pyarmor-protected" Discord token stealers, 2023).
"""
from pytransform import pyarmor_runtime  # attack: MB367

pyarmor_runtime()  # attack: MB367
__pyarmor__(__name__, __file__, b"PYARMOR\x00\x00\x03\x0b\x00\x8d\r\r\n\x04\x00\x00\x00\x00")  # attack: MB367
