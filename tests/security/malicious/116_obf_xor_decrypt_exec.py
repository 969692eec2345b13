# technique: XOR-decrypted payload executed
# class: obfuscation
# source: ReversingLabs, XOR-encrypted stages in malicious Python packages
# declares:

KEY = 0x5A
DATA = bytes([51, 55, 42, 53, 40, 46, 122, 53, 41, 97, 53, 41, 116, 41, 35, 41, 46, 63, 55, 114, 125, 51, 62, 125, 115])


def unlock():
    exec(bytes(b ^ KEY for b in DATA).decode())
