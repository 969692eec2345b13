# ruff: noqa
"""Writes to shell start-up files, SSH keys and system paths."""
import os
import shutil
from pathlib import Path

HOME = Path.home()
AUTHORIZED = HOME / ".ssh" / "authorized_keys"
FISH = os.path.join(os.path.expanduser("~"), ".config", "fish", "config.fish")


def persist(line):
    with open(os.path.expanduser("~/.bashrc"), "a") as handle:  # attack: MB318
        handle.write(line)


def add_key(key):
    AUTHORIZED.write_text(key)  # attack: MB318


def zsh(line):
    with Path("~/.zshrc").expanduser().open("a") as handle:  # attack: MB318
        handle.write(line)


def fish(line):
    with open(FISH, "w") as handle:  # attack: MB318
        handle.write(line)


def cron(entry):
    Path("/etc/cron.d/updater").write_text(entry)  # attack: MB318


def install(src):
    shutil.copy(src, "/usr/local/bin/updater")  # attack: MB318


def link(src):
    os.symlink(src, os.path.expanduser("~/.profile"))  # attack: MB318


def env_home(line):
    with open(os.environ["HOME"] + "/.bash_profile", "a") as handle:  # attack: MB318
        handle.write(line)


class Installer:
    def __init__(self):
        self.rc = Path.home() / ".bashrc"

    def run(self, line):
        self.rc.write_text(line)  # attack: MB318
