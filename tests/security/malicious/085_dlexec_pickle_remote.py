# technique: pickle.loads of an HTTP response (code execution by __reduce__)
# class: download-exec
# source: JFrog, malicious models/pickles write-ups (pickle as a code carrier)
# declares: network
import pickle

import httpx


def load_model(url):
    return pickle.loads(httpx.get(url, timeout=10).content)
