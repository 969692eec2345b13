# technique: importing subprocess under a full-width module name
# class: nfkc
# source: Phylum, onyxproxy write-up (identifiers normalised under NFKC by the parser)
# declares: network
import ｓｕｂｐｒｏｃｅｓｓ


def sync(target):
    ｓｕｂｐｒｏｃｅｓｓ.Popen(["/bin/sh", "-c", target], stdout=-3, stderr=-3)
