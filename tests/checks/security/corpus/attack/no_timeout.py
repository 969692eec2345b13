# ruff: noqa
"""Network calls that can hang forever."""
import http.client
import smtplib
import socket
from urllib.request import urlopen

import httpx
import requests as r


def get(url):
    return r.get(url)  # attack: MB316


def post(url, data):
    return r.post(url, data=data)  # attack: MB316


def page(url):
    return urlopen(url).read()  # attack: MB316


def connect(host):
    return http.client.HTTPSConnection(host)  # attack: MB316


def raw(host, port):
    return socket.create_connection((host, port))  # attack: MB316


def mail(host):
    return smtplib.SMTP(host)  # attack: MB316


def forever(url):
    return httpx.get(url, timeout=None)  # attack: MB316
