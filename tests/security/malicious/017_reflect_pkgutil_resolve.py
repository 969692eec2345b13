# technique: pkgutil.resolve_name("subprocess:Popen")
# class: reflection
# source: Python documentation of pkgutil.resolve_name, abused as in GuardDog "api-obfuscation" examples
# declares:
import pkgutil


def spawn(argv):
    popen = pkgutil.resolve_name("subprocess:Popen")
    return popen(argv)
