# ruff: noqa
# permissions: dynamic-code
"""Code put on sys.path from an archive or a directory outside the plugin, then imported.

Technique: a zip of "vendored" modules on sys.path (the 2023 "pyobfgood"/"vendor.zip" pattern in
PyPI malware reports by Sonatype) and site.addsitedir to load .pth files.
"""
import os
import site
import sys
import zipimport

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "vendor.zip"))  # attack: MB363
import vendored  # noqa: E402


def stage(path):
    site.addsitedir(os.path.expanduser("~/.cache/.x"))  # attack: MB363
    return zipimport.zipimporter("lib.pyz").load_module("lib")  # attack: MB363
