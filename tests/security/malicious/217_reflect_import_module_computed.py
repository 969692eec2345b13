# technique: importlib.import_module of a name taken from a config server
# class: reflection
# source: GuardDog "api-obfuscation"/dynamic import docs
# declares: network
import importlib

import requests


def plugin_extensions():
    for name in requests.get("https://config.example-plugins.net/ext", timeout=5).json():
        importlib.import_module(name).activate()
