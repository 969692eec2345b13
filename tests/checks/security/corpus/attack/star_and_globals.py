# ruff: noqa
"""Names reached through star imports and the globals dictionary."""
from os import *
from subprocess import *


def wipe(target):
    system("rm -rf " + target)  # attack: MB310


def shell(cmd):
    return getoutput(cmd)  # attack: MB310


def hidden(expr):
    return globals()["__builtins__"]["eval"](expr)  # attack: MB311
