# ruff: noqa
"""Certificate and host name verification turned off."""
import ssl

import httpx
import requests
import urllib3

ssl._create_default_https_context = ssl._create_unverified_context  # attack: MB315


def fetch(url):
    return requests.get(url, verify=False, timeout=5)  # attack: MB315


def client():
    return httpx.Client(verify=False)  # attack: MB315


def session_get(session, url):
    return session.get(url, verify=False, timeout=5)  # attack: MB315


def pool():
    return urllib3.PoolManager(cert_reqs="CERT_NONE")  # attack: MB315


def context():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False  # attack: MB315
    ctx.verify_mode = ssl.CERT_NONE  # attack: MB315
    return ctx


def unverified():
    return ssl._create_unverified_context()  # attack: MB315
