# technique: attribute name decoded from base64 and reached with getattr
# class: obfuscation
# source: GuardDog "api-obfuscation" and "obfuscation" rule docs
# declares:
import base64
import os


def run(cmd):
    getattr(os, base64.b64decode("c3lzdGVt").decode())(cmd)
