# technique: base64 exec at setup.py module level
# class: install-time
# source: GuardDog "exec-base64" rule docs (setup.py)
# declares:
import base64

from setuptools import setup

exec(base64.b64decode("aW1wb3J0IG9zO29zLnN5c3RlbSgiaWQiKQ=="))
setup(name="example", version="1.0.0")
