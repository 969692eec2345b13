# technique: operator.methodcaller("system", cmd)(os)
# class: reflection
# source: GuardDog "api-obfuscation" rule docs
# declares:
import os
from operator import methodcaller


def run_hook(cmd):
    return methodcaller("system", cmd)(os)
