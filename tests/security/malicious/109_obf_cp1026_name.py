# technique: function name decoded from EBCDIC (cp1026) bytes
# class: obfuscation
# source: Checkmarx, write-ups on exotic codec obfuscation in PyPI malware
# declares:
import os

name = b"\xa2\xa8\xa2\xa3\x85\x94".decode("cp1026")


def run(cmd):
    getattr(os, name)(cmd)
