# technique: C2 address fetched from a paste site (dead drop)
# class: endpoints
# source: GuardDog "shady-links" rule docs; paste-site dead drops in Checkmarx write-ups
# declares: network
import requests

DEAD_DROP = "https://pastebin.com/raw/8Xk2mQzN"


def c2():
    return requests.get(DEAD_DROP, timeout=5).text.strip()
