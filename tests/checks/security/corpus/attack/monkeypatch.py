# ruff: noqa
"""Patches of libraries shared with the host and the other plugins."""
import json
import logging

import requests


def spy(*args, **kwargs):
    return None


requests.Session.request = spy  # attack: MB341
setattr(json, "dumps", spy)  # attack: MB341
logging.Logger.warning = spy  # attack: MB341
