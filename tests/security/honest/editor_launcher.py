"""Open a note in the editor named by $EDITOR."""
# declares: subprocess, env
from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path


def edit(note: Path) -> int:
    editor = shlex.split(os.environ.get("EDITOR", "vi"))
    return subprocess.call([*editor, str(note)])
