# technique: lambda-wrapped zlib+base64 blob (pyobfuscate/"Hyperion"-style)
# class: obfuscation
# source: Phylum, W4SP stealer write-ups (zlib/base64 layers produced by public obfuscators)
# declares:
import base64
import zlib

_ = lambda __: __import__("zlib").decompress(__import__("base64").b64decode(__[::-1]))
exec((_)(b"=Aw2Xh1LDiLUEjHwhDsfIwJ2SeJwe"))
del base64, zlib
