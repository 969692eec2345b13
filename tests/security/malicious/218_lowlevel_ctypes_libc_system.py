# technique: libc system() through ctypes
# class: lowlevel
# source: ReversingLabs, ctypes-based execution in malicious Python packages
# declares:
import ctypes


def run(c: bytes):
    ctypes.CDLL("libc.so.6").system(c)
