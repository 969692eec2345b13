"""Back up the plugin's own data directory into timestamped zip archives."""
# declares: fs-write
from __future__ import annotations

import shutil
import time
from pathlib import Path


def backup(data_dir: Path, backups: Path, keep: int = 5) -> Path:
    backups.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    archive = shutil.make_archive(str(backups / f"notes-{stamp}"), "zip", data_dir)
    old = sorted(backups.glob("notes-*.zip"))[:-keep]
    for path in old:
        path.unlink()
    return Path(archive)
