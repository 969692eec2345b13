# technique: lzma-compressed payload executed
# class: obfuscation
# source: Checkmarx, compressed payload layers in PyPI droppers
# declares:
import lzma

exec(lzma.decompress(b"\xfd7zXZ\x00\x00\x04\xe6\xd6\xb4F\x02\x00!\x01\x16\x00\x00\x00t/\xe5\xa3\x01\x00\x0bprint('hi')\n\x00\x00\x00\x00"))
