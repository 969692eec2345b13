"""Test helpers: build plugins on disk from file maps and run mbcheck on them."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mbcheck.config import Config, from_mapping
from mbcheck.engine import check
from mbcheck.model import Report
from mbcheck.rules.base import EXAMPLE_INIT

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
#: the OASIS SARIF 2.1.0 JSON Schema, shipped with the tests (tests/fixtures/sarif/README.md)
SARIF_SCHEMA = ROOT / "tests" / "fixtures" / "sarif" / "sarif-schema-2.1.0.json"
SHARED_SARIF_SCHEMA = SARIF_SCHEMA  # the name earlier tests import


def write_plugin(base: Path, files: Mapping[str, str | bytes], name: str = "example") -> Path:
    root = base / name
    root.mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def run(paths: list[Path] | Path, config: Config | Mapping[str, Any] | None = None, **kwargs: Any) -> Report:
    if isinstance(paths, Path):
        paths = [paths]
    if config is None:
        config = Config()
    elif not isinstance(config, Config):
        config = from_mapping(config)
    kwargs.setdefault("use_cache", False)
    kwargs.setdefault("jobs", 1)
    return check(paths, config, **kwargs)




#: the smallest `__init__.py` that keeps the whole plugin contract
MINIMAL_INIT = EXAMPLE_INIT

#: information about what `milk sdk validate` and `milk marketplace validate` (developer commands)
#: would say: small test plugins lack cli.py, README.md, ...; tests about other behaviour leave
#: these out of their exact lists of findings
HOST_TOOL_INFO = frozenset({"MB117", "MB118"})


def expression_context(source: str) -> tuple[Any, Any]:
    """The last statement's expression of ``source`` (an expression or an assignment) and a
    :class:`~mbcheck.pyfile.traverse.FileContext` with the module's names bound as the traversal
    binds them: for testing the value folders and name resolution on their own."""
    import libcst as cst

    from mbcheck.pyfile.traverse import FileContext

    module = cst.parse_module(source)
    ctx = FileContext(module, "__init__.py", "plugin", "plugin", True)
    ctx.names.prebind_module(module)
    last = module.body[-1]
    assert isinstance(last, cst.SimpleStatementLine)
    statement = last.body[0]
    assert isinstance(statement, (cst.Expr, cst.Assign))
    return ctx, statement.value
