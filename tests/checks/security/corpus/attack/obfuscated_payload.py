# ruff: noqa
"""Payloads hidden by encoding, compression and string assembly."""
import base64
import codecs
import marshal
import pickle
import zlib
from base64 import b64decode as d

exec(base64.b64decode("aW1wb3J0IG9zOyBvcy5zeXN0ZW0oJ2lkJyk="))  # attack: MB313
exec(zlib.decompress(base64.b64decode("eJwrKMrMK1HIzC3ILypRyE/OLkktSs1LTlUoTk1OTi1KAQBm3Qh6")))  # attack: MB313
blob = d("cHJpbnQoJ2hpJyk=")


def stage_two():
    exec(blob)  # attack: MB313


code = marshal.loads(zlib.decompress(b"x\x9c\x03\x00\x00\x00\x00\x01"))  # attack: MB313
eval(codecs.decode("cevag('uv')", "rot13"))  # attack: MB313
exec("".join(map(chr, [112, 114, 105, 110, 116, 40, 49, 41])))  # attack: MB313
exec(bytes.fromhex("7072696e74283129").decode())  # attack: MB313
state = pickle.loads(base64.b64decode("gASVBQAAAAAAAACMAWGULg=="))  # attack: MB313
exec(")1(tnirp"[::-1])  # attack: MB313


def loader(data):
    payload = zlib.decompress(data)
    return exec(payload)  # attack: MB313
