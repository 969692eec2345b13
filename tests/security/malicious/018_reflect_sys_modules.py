# technique: sys.modules["os"].system
# class: reflection
# source: Checkmarx, analyses of PyPI stealers that avoid the literal `import os`
# declares:
import sys


def shell(c):
    sys.modules["os"].system(c)
