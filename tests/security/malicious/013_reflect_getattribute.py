# technique: module.__getattribute__("system")
# class: reflection
# source: GuardDog "api-obfuscation" rule docs (__getattribute__ form)
# declares:
import os


def go(cmd):
    os.__getattribute__("system")(cmd)
