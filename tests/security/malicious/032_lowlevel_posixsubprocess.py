# technique: _posixsubprocess.fork_exec, subprocess without subprocess
# class: lowlevel
# source: GuardDog "silent-process-execution" rule; CPython's _posixsubprocess is subprocess's engine
# declares:
import _posixsubprocess
import os


def launch(argv):
    r, w = os.pipe()
    _posixsubprocess.fork_exec(
        argv, [argv[0].encode()], True, (), None, None,
        -1, -1, -1, -1, -1, -1, r, w, True, False, None, None, None, -1, None, False,
    )
