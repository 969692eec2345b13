"""Export notes as a tar.gz archive the user can share."""
# declares: fs-write
from __future__ import annotations

import tarfile
import tempfile
from pathlib import Path


def export(notes: list[Path], dest: Path) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        staging = Path(tmp) / "export.tar.gz"
        with tarfile.open(staging, "w:gz") as tar:
            for note in notes:
                tar.add(note, arcname=note.name)
        dest.write_bytes(staging.read_bytes())
    return dest
