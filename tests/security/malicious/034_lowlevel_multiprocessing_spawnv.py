# technique: multiprocessing.util.spawnv_passfds to start a program
# class: lowlevel
# source: GuardDog "silent-process-execution" docs (process APIs outside subprocess)
# declares:
from multiprocessing import util


def bg(path):
    util.spawnv_passfds(path.encode(), [path.encode(), b"-d"], ())
