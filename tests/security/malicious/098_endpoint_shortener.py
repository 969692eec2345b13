# technique: second stage behind a URL shortener
# class: endpoints
# source: GuardDog "shady-links" docs (URL shorteners)
# declares: network
import urllib.request


def fetch():
    return urllib.request.urlopen("https://tinyurl.com/2p8k4x9w", timeout=5).read()
