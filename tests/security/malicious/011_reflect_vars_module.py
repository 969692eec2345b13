# technique: vars(module)[name] lookup of a process function
# class: reflection
# source: GuardDog "api-obfuscation" rule documentation (vars(...) lookups)
# declares:
import subprocess

_RUN = "check_output"


def version():
    return vars(subprocess)[_RUN](["uname", "-a"])
