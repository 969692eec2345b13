# ruff: noqa
# permissions: fs-write
"""The os module's low-level twins and process starters that are not subprocess.

Technique: `posix.system`, `_posixsubprocess.fork_exec` and multiprocessing used to avoid the
names scanners look for (GuardDog "exec-base64"/"code-execution" evasions, 2023).
"""
import posix  # the first use of subprocess in this file is the call below


def run(cmd):
    posix.system(cmd)  # attack: MB300
