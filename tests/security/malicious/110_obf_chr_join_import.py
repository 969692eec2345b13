# technique: module and function names built from chr() codes
# class: obfuscation
# source: GuardDog "obfuscation" rule docs (chr()-built strings)
# declares:

m = __import__("".join(chr(c) for c in (115, 117, 98, 112, 114, 111, 99, 101, 115, 115)))
f = getattr(m, "".join(map(chr, [80, 111, 112, 101, 110])))


def go(c):
    f(c, shell=True)
