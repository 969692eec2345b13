"""Read the plugin's YAML settings file from the user's config directory."""
# declares:
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

CONFIG = Path.home() / ".config" / "notes-plugin" / "settings.yaml"


def read_settings(path: Path = CONFIG) -> dict[str, Any]:
    if not path.exists():
        return {}
    with path.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    return data if isinstance(data, dict) else {}
