# technique: sys.path.insert of /tmp and __import__ of a name computed at run time
# class: pathtrick
# source: Phylum, W4SP family loaders (write to temp, import by name)
# declares: fs-write
import sys
import tempfile


def stage(code: str, name: str):
    d = tempfile.gettempdir()
    with open(f"{d}/{name}.py", "w") as fh:
        fh.write(code)
    sys.path.insert(0, d)
    __import__(name)
