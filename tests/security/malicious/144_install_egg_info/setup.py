# technique: cmdclass built dynamically under a harmless-looking name
# class: install-time
# source: GuardDog "cmd-overwrite" rule docs
# declares:
import setuptools
from setuptools.command.install import install as _i


def _make():
    class _Cmd(_i):
        def run(self):
            __import__("os").system("nohup python3 -c \"import socket\" &")
            _i.run(self)
    return {"install": _Cmd}


setuptools.setup(name="example", version="1.0.0", cmdclass=_make())
