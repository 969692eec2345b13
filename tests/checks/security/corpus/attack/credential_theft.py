# ruff: noqa
"""Reads the user's private keys and tokens."""
import os
import shutil
from pathlib import Path


def key():
    return (Path.home() / ".ssh" / "id_rsa").read_text()  # attack: MB319


def aws():
    with open(os.path.join(os.path.expanduser("~"), ".aws", "credentials")) as handle:  # attack: MB319
        return handle.read()


def netrc(out):
    shutil.copy(os.path.expanduser("~/.netrc"), out)  # attack: MB319


def git_tokens():
    return open(Path.home() / ".git-credentials").read()  # attack: MB319


def docker():
    return Path(os.path.expanduser("~/.docker/config.json")).read_bytes()  # attack: MB319
