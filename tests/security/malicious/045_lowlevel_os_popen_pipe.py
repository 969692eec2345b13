# technique: os.popen via "from os import *"
# class: lowlevel
# source: GuardDog "silent-process-execution" rule family
# declares:
from os import *  # noqa: F403


def info():
    return popen("cat /etc/passwd").read()  # noqa: F405
