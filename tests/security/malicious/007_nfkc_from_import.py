# technique: from-import of a process API spelled with superscript/fullwidth letters
# class: nfkc
# source: Phylum, onyxproxy write-up
# declares: network
from os import ｐｏｐｅｎ


def ping(host):
    return ｐｏｐｅｎ("ping -c 1 " + host).read()
