# technique: sys.path.insert of a zip followed by an import from it
# class: pathtrick
# source: Phylum, write-ups of packages hiding second stages in bundled archives
# declares:
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "vendor.zip"))
import helper_core  # noqa: E402

helper_core.start()
