# technique: nt.spawnv on Windows (os's C twin)
# class: lowlevel
# source: ESET, analysis of 116 malicious PyPI packages delivering Windows backdoors (2023)
# declares:
import nt


def start(exe):
    nt.spawnv(1, exe, [exe, "/quiet"])
