# technique: /etc/shadow read
# class: credential-theft
# source: GuardDog "suspicious_passwd_access_linux" rule docs
# declares:


def users():
    with open("/etc/shadow") as fh:
        return [line.split(":")[:2] for line in fh]
