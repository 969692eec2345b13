# ruff: noqa
# permissions: subprocess, dynamic-code
"""Reaching os.system and exec through namespace dictionaries and operator helpers.

Technique: reflective access to avoid the literal call, as catalogued by GuardDog's
"obfuscation" heuristics and the PyPI malware reports of Phylum (2023) and Checkmarx (2022).
"""
import operator
import os
import pkgutil
import sys


def go(cmd, name):
    vars(os)["sys" + "tem"](cmd)  # attack: MB361
    os.__dict__.get("popen")(cmd)  # attack: MB361
    operator.methodcaller("system", cmd)(os)  # attack: MB361
    operator.attrgetter("system")(os)(cmd)  # attack: MB361
    pkgutil.resolve_name("subprocess:getoutput")(cmd)  # attack: MB361
    sys.modules["o" + "s"].system(cmd)  # attack: MB361
    vars(__builtins__).get("ex" + "ec")(cmd)  # attack: MB361
    object.__getattribute__(os, "system")(cmd)  # attack: MB361
    globals()["__builtins__"]["eval"](cmd)  # attack: MB361
    vars(os)[name](cmd)  # attack: MB361
