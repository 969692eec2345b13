# technique: public IP lookup (victim fingerprinting)
# class: endpoints
# source: Checkmarx, W4SP and BlazeStealer write-ups (ipinfo/ip-api lookups before exfiltration)
# declares: network
import requests


def geo():
    return requests.get("http://ip-api.com/json/", timeout=5).json()
