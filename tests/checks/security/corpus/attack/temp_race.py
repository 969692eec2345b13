# ruff: noqa
"""Temporary file names that another process can claim first."""
import tempfile
from tempfile import mktemp as make_name


def scratch():
    return tempfile.mktemp(suffix=".txt")  # attack: MB317


def other():
    return make_name()  # attack: MB317
