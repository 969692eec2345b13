# technique: fork + execvp to daemonise a payload
# class: lowlevel
# source: Checkmarx, Linux backdoors in PyPI packages (double fork)
# declares:
import os


def detach(argv):
    if os.fork() == 0:
        os.setsid()
        os.execvp(argv[0], argv)
