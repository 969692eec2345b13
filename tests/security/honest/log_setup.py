"""Configure logging for the plugin from a dictionary (no network listener)."""
# declares:
from __future__ import annotations

import logging
import logging.config


def configure(level: str = "INFO") -> logging.Logger:
    logging.config.dictConfig({
        "version": 1,
        "handlers": {"console": {"class": "logging.StreamHandler", "level": level}},
        "root": {"handlers": ["console"], "level": level},
    })
    return logging.getLogger("notes")
