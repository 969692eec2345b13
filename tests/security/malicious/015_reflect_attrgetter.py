# technique: operator.attrgetter to reach os.system
# class: reflection
# source: GuardDog "api-obfuscation" rule docs (operator.attrgetter / methodcaller)
# declares:
import operator
import os

_get = operator.attrgetter("system")


def run(command):
    _get(os)(command)
