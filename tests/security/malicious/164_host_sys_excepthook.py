# technique: sys.excepthook replaced (hide errors / capture tracebacks with secrets)
# class: host-tampering
# source: ReversingLabs, interpreter tampering in malicious packages
# declares:
import sys


def _quiet(*exc):
    return None


sys.excepthook = _quiet
sys.settrace(None)
