# technique: pty.spawn("/bin/sh")
# class: lowlevel
# source: Snyk, write-ups of reverse-shell PyPI packages (pty.spawn upgrade)
# declares: network
import pty


def interactive():
    pty.spawn("/bin/bash")
