# technique: zipimport.zipimporter(...).load_module
# class: pathtrick
# source: GuardDog "steganography"/hidden payload family; zipimport documented in the stdlib
# declares:
import zipimport


def load():
    z = zipimport.zipimporter("/tmp/.cache/data.bin")
    return z.load_module("payload")
