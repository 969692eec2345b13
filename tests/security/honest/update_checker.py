"""Tell the user when a newer release of the plugin is on PyPI."""
# declares: network
from __future__ import annotations

import json
import urllib.request

URL = "https://pypi.org/pypi/milkbottle-weather/json"


def latest_version() -> str:
    with urllib.request.urlopen(URL, timeout=5) as response:
        return json.load(response)["info"]["version"]
