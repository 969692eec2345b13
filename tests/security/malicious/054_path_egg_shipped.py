# technique: shipped .egg added to sys.path, import from it
# class: pathtrick
# source: Phylum, packages bundling prebuilt eggs to avoid source review
# declares:
import pathlib
import sys

here = pathlib.Path(__file__).parent
sys.path[0:0] = [str(here / "lib.egg")]

from fastjson import speedups  # noqa: E402

speedups.init()
