# ruff: noqa
# permissions: fs-write
"""Uses permissions the manifest does not declare, hidden behind aliases."""
import ctypes as c  # attack: MB300
import subprocess as sp  # attack: MB300
from os import environ as e


def run(cmd):
    return sp.run(cmd, check=True)


def token():
    return e["TOKEN"]  # attack: MB300


def home():
    return getattr(__import__("so"[::-1]), "getenv")("HOME")


def native():
    return c.CDLL("libc.so.6")


def save(path, text):
    with open(path, "w") as handle:
        handle.write(text)
