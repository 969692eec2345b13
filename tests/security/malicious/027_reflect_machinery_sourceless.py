# technique: importlib.machinery.SourcelessFileLoader on a dropped .pyc
# class: reflection
# source: ReversingLabs, "Fshec2" write-up (compiled payload loaded with importlib)
# declares:
import importlib.machinery


def boot():
    loader = importlib.machinery.SourcelessFileLoader("full", "/tmp/full.pyc")
    loader.load_module()
