"""``python -m mbcheck``: the command line, with a warning when the form itself is unsafe.

``python -m`` puts the current directory first on ``sys.path`` before any of
mbcheck's code runs, so in a plugin's directory the plugin's own ``operator.py``
or ``yaml.py`` can be imported in place of the real modules; mbcheck cannot
undo that from inside. The ``mbcheck`` console script and ``python -P -m
mbcheck`` (Python 3.11's safe-path flag) do not add the directory.
"""

import os
import sys


def _unsafe_directory() -> bool:
    """Whether the current directory is on ``sys.path`` and holds Python modules or packages."""
    if sys.flags.safe_path:
        return False
    try:
        with os.scandir(os.getcwd()) as entries:
            return any(
                entry.name.endswith((".py", ".pyc", ".pyd", ".so"))
                or (entry.is_dir() and os.path.isfile(os.path.join(entry.path, "__init__.py")))
                for entry in entries
            )
    except OSError:
        return False


if _unsafe_directory():
    sys.stderr.write(
        "mbcheck: warning: `python -m mbcheck` puts the current directory first on sys.path, so Python files "
        "here can be imported in place of the modules mbcheck uses, before mbcheck can prevent it. "
        "Run `mbcheck` or `python -P -m mbcheck` instead, or run from another directory.\n"
    )

from mbcheck.cli import main  # noqa: E402

main()
