# ruff: noqa
"""Names and code spelled so a reader or a scanner does not see them.

Techniques from public write-ups: ``chr()`` sequences joined into code (GuardDog's
``obfuscation`` heuristic; Check Point on the "pyobfuscate" droppers, 2023),
names decoded from a byte list and reversed (Socket, "Obfuscated getattr calls in
PyPI malware", 2023), rot13 payloads (Phylum, "rot13 in a typosquat", 2022), the
cp1026 EBCDIC codec (Checkmarx, "cp1026-encoded exec in PyPI packages", 2023),
names cut into pieces (DataDog Security Labs, GuardDog rule examples).
"""
import codecs
import importlib

exec("".join(chr(c) for c in [105, 109, 112, 111, 114, 116, 32, 111, 115]))  # attack: MB366
getattr(__import__(bytes([111, 115]).decode()), "metsys"[::-1])("id")  # attack: MB366
exec(codecs.decode("vzcbeg bf; bf.flfgrz('vq')", "rot13"))  # attack: MB366
_CMD = b"\x89\x84".decode("cp1026")  # attack: MB366
_mod = importlib.import_module("sub" + "pro" + "cess")  # attack: MB366


def run():
    name = "".join(map(chr, [115, 111, 99, 107, 101, 116]))  # attack: MB366
    return __import__(name)


eval(bytes(c ^ 7 for c in [119, 117, 110, 105, 115, 47, 54, 46]).decode())  # attack: MB366
