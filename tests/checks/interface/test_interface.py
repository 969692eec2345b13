"""Interface and config rules beyond the rule examples: plugins split over modules,
aliases, inheritance, bottles, the shipped examples, and the facts themselves."""

from __future__ import annotations

import inspect
import pickle
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import EXAMPLES, run, write_plugin
from mbcheck.checks.interface.examples import example_class
from mbcheck.checks.interface.facts import (
    InterfaceFacts,
    Param,
    ParamKind,
    ReturnKind,
    call_problems,
)
from mbcheck.config import Config
from mbcheck.model import Category, Finding, Report
from mbcheck.pyfile.analyse import analyse_file
from mbcheck.pyfile.jobs import FileJob
from mbcheck.rules import all_rules
from mbcheck.rules.base import EXAMPLE_MANIFEST

INTERFACE_CODES = tuple(
    code for code, rule in all_rules().items() if rule.category in (Category.INTERFACE, Category.CONFIG)
)
PI = "from milkbottle.plugin_system.core import PluginInterface\n"


def findings(report: Report, *codes: str) -> list[Finding]:
    assert not report.errors, report.errors
    return [f for p in report.plugins for f in p.findings if not codes or f.rule in codes]


def lint(tmp_path: Path, files: dict[str, str], *codes: str) -> list[Finding]:
    if "plugin.yaml" not in files and "pyproject.toml" not in files:
        files = {"plugin.yaml": EXAMPLE_MANIFEST, **files}
    root = write_plugin(tmp_path, files)
    return findings(run(root, Config(select=codes or INTERFACE_CODES)))


def summary(found: list[Finding]) -> set[tuple[str, str, int]]:
    return {(f.rule, f.span.path, f.span.line) for f in found}


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


# ---------------------------------------------------------------------------
# the shipped examples


def test_hello_world_has_no_interface_or_config_findings() -> None:
    report = run(EXAMPLES / "plugins" / "hello_world", Config(select=(*INTERFACE_CODES, "MB111")))
    assert findings(report) == []


def test_hello_world_is_really_checked(tmp_path: Path) -> None:
    """The clean result above is not vacuous: break one method and it is found."""
    copy = tmp_path / "hello_world"
    shutil.copytree(EXAMPLES / "plugins" / "hello_world", copy)
    init = copy / "__init__.py"
    text = init.read_text().replace("async def initialize", "def initialize")
    text = text.replace('version="1.2.0"', 'version="1.2.1"')
    init.write_text(text)
    found = findings(run(copy, Config(select=(*INTERFACE_CODES, "MB111"))))
    assert summary(found) == {
        ("MB205", "__init__.py", line_of(text, "def initialize")),
        ("MB111", "__init__.py", line_of(text, 'version="1.2.1"')),
    }


def planted(root: Path) -> set[tuple[str, str, int]]:
    """The ``# MBxxx`` markers of an example: (code, relative path, line)."""
    expected: set[tuple[str, str, int]] = set()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if "# MB" in line:
                code = line.split("# MB", 1)[1][:3]
                expected.add((f"MB{code}", path.relative_to(root).as_posix(), number))
    assert expected, f"{root.name} lost its markers"
    return expected


@pytest.mark.parametrize("example", ["plugins/broken_interface", "bottles/textmilker"])
def test_examples_report_exactly_the_planted_mistakes(example: str) -> None:
    root = EXAMPLES / example
    found = findings(run(root, Config(select=(*INTERFACE_CODES, "MB111"))))
    assert summary(found) == planted(root)


def test_bottle_example_without_its_planted_mistakes_is_clean(tmp_path: Path) -> None:
    copy = tmp_path / "textmilker"
    shutil.copytree(EXAMPLES / "bottles" / "textmilker", copy)
    pyproject = copy / "pyproject.toml"
    pyproject.write_text("\n".join(line for line in pyproject.read_text().splitlines() if "# MB" not in line))
    init = copy / "src" / "textmilker" / "__init__.py"
    init.write_text(init.read_text().replace("async def health_check", "def health_check"))
    assert findings(run(copy, Config(select=INTERFACE_CODES))) == []
    init.write_text(init.read_text().replace("def validate_config(config: dict[str, Any])", "def validate_config()"))
    found = findings(run(copy, Config(select=INTERFACE_CODES)))
    assert [f.rule for f in found] == ["MB213"]


# ---------------------------------------------------------------------------
# plugins split over several modules


def test_multi_module_plugin_with_base_in_another_module(tmp_path: Path) -> None:
    files = {
        "__init__.py": "from .core.impl import get_plugin_interface\n",
        "core/__init__.py": "",
        "core/base.py": PI + "\n\n" + example_class("Base", drop=("get_cli", "get_error_log")),
        "core/mixins.py": "class Errors:\n    def get_error_log(self):\n        return []\n",
        "core/impl.py": (
            "from .base import Base as B\nfrom . import mixins\n\n\n"
            "class Impl(mixins.Errors, B):\n    def get_cli(self):\n        return None\n\n\n"
            "plugin = Impl()\n\n\ndef get_plugin_interface():\n    return plugin\n"
        ),
    }
    assert lint(tmp_path, files) == []


def test_multi_module_missing_method_points_at_the_class(tmp_path: Path) -> None:
    impl = "from .base import Base\n\n\nclass Impl(Base):\n    pass\n"
    files = {
        "__init__.py": "from .impl import Impl\n\n\ndef get_plugin_interface():\n    return Impl()\n",
        "base.py": PI + "\n\n" + example_class("Base", drop=("get_error_log",)),
        "impl.py": impl,
    }
    found = lint(tmp_path, files, "MB204")
    assert summary(found) == {("MB204", "impl.py", 4)}
    assert "get_error_log" in found[0].message and "def get_error_log(self)" in found[0].message


def test_inherited_method_with_wrong_shape_is_reported_where_it_is_defined(tmp_path: Path) -> None:
    base = PI + "\n\n" + example_class(
        "Base", replace={"health_check": "    def health_check(self, deep):\n        return {'status': 'ok'}\n"}
    )
    files = {
        "__init__.py": "from .impl import Impl\n\n\ndef get_plugin_interface():\n    return Impl()\n",
        "base.py": base,
        "impl.py": "from .base import Base\n\n\nclass Impl(Base):\n    pass\n",
    }
    found = lint(tmp_path, files, "MB206")
    assert summary(found) == {("MB206", "base.py", line_of(base, "def health_check"))}


def test_override_fixes_an_inherited_shape_for_structural_classes(tmp_path: Path) -> None:
    """A structural (non-PluginInterface) base's method overridden correctly is not what runs."""
    base = "class Base:\n    def get_cli(self, verbose):\n        return None\n"
    impl = "from .base import Base\n\n\n" + example_class("Impl", bases="Base")
    files = {
        "__init__.py": "from .impl import Impl\n\n\ndef get_plugin_interface():\n    return Impl()\n",
        "base.py": base,
        "impl.py": impl,
    }
    assert lint(tmp_path, files) == []


def test_structural_class_in_another_module_is_checked(tmp_path: Path) -> None:
    impl = example_class("Impl", bases="", replace={"shutdown": "    def shutdown(self):\n        return None\n"})
    files = {
        "__init__.py": "from . import impl\n\n\ndef get_plugin_interface():\n    return impl.Impl()\n",
        "impl.py": impl,
    }
    assert summary(lint(tmp_path, files)) == {("MB205", "impl.py", line_of(impl, "def shutdown"))}


def test_instance_defined_in_another_module_and_reexported(tmp_path: Path) -> None:
    files = {
        "__init__.py": "from .state import plugin\n\n\ndef get_plugin_interface():\n    return plugin\n",
        "state.py": "from .impl import Impl\n\nplugin = Impl()\n",
        "impl.py": PI + "\n\n" + example_class("Impl", drop=("get_cli",)),
    }
    assert summary(lint(tmp_path, files, "MB204")) == {("MB204", "impl.py", 4)}


def test_star_import_provides_the_entry_point(tmp_path: Path) -> None:
    impl = PI + "\n\n" + example_class() + "\n\ndef get_plugin_interface():\n    return Plugin()\n"
    assert lint(tmp_path / "a", {"__init__.py": "from .impl import *\n", "impl.py": impl}) == []
    missing = lint(tmp_path / "b", {"__init__.py": "from .impl import *\n", "impl.py": PI + "\n\n" + example_class()})
    assert summary(missing) == {("MB201", "__init__.py", 1)}


def test_factory_function_chain_is_followed(tmp_path: Path) -> None:
    code = (
        PI + "\n\n" + example_class(drop=("get_dependencies",))
        + "\n\ndef _make():\n    return Plugin()\n\n\ndef get_plugin_interface():\n    return _make()\n"
    )
    assert summary(lint(tmp_path, {"__init__.py": code}, "MB204")) == {("MB204", "__init__.py", 4)}


def test_conditional_return_checks_both_classes(tmp_path: Path) -> None:
    code = (
        PI + "import os\n\n\n" + example_class("A") + "\n\n" + example_class("B", bases="", drop=("get_cli",))
        + "\n\ndef get_plugin_interface():\n    return A() if os.environ.get('X') else B()\n"
    )
    found = lint(tmp_path, {"__init__.py": code}, "MB204")
    assert summary(found) == {("MB204", "__init__.py", line_of(code, "class B"))}


# ---------------------------------------------------------------------------
# aliases and explicit subclasses


@pytest.mark.parametrize(
    "header",
    [
        "from milkbottle.plugin_system.core import PluginInterface as PI\n",
        "from milkbottle.plugin_system import PluginInterface as PI\n",
        "import milkbottle.plugin_system.core as PI_mod\nPI = PI_mod.PluginInterface\n",
        "try:\n    from milkbottle.plugin_system import PluginInterface as PI\nexcept ImportError:\n    PI = object\n",
    ],
)
def test_explicit_subclass_through_aliases(tmp_path: Path, header: str) -> None:
    """No entry point resolves to it, so only the explicit base marks the implementation."""
    code = header + "\n\n" + example_class(bases="PI", drop=("get_error_log",)) + "\n\nget_plugin_interface = None\n"
    found = lint(tmp_path, {"__init__.py": code}, "MB204")
    assert summary(found) == {("MB204", "__init__.py", line_of(code, "class Plugin"))}


def test_attribute_base_and_reexport_through_own_module(tmp_path: Path) -> None:
    compat = "import milkbottle.plugin_system.core as core\n\nBase = core.PluginInterface\n"
    impl = "from .compat import Base\n\n\n" + example_class(bases="Base", drop=("initialize",))
    files = {"__init__.py": "get_plugin_interface = None\n", "compat.py": compat, "impl.py": impl}
    found = lint(tmp_path, files, "MB204")
    assert summary(found) == {("MB204", "impl.py", line_of(impl, "class Plugin"))}


def test_abstract_intermediate_base_is_not_an_implementation(tmp_path: Path) -> None:
    code = (
        PI + "\n\nclass Base(PluginInterface):\n    def get_error_log(self):\n        return []\n\n\n"
        + example_class("Impl", bases="Base", drop=("get_error_log",))
    )
    assert lint(tmp_path, {"__init__.py": code + "\n\nget_plugin_interface = None\n"}, "MB204") == []


def test_protocol_extension_is_not_checked_as_an_implementation(tmp_path: Path) -> None:
    code = PI + "from typing import Protocol\n\n\nclass Extended(PluginInterface, Protocol):\n    def extra(self) -> int: ...\n"
    assert lint(tmp_path, {"__init__.py": code + "\n\nget_plugin_interface = None\n"}, "MB204") == []


def test_explicit_subclass_override_keeps_the_protocol_shape(tmp_path: Path) -> None:
    base = PI + "\n\n" + example_class(
        "Base", replace={"get_cli": "    async def get_cli(self):\n        return None\n"}
    )
    code = base + "\n\n" + example_class("Impl", bases="Base") + "\n\ndef get_plugin_interface():\n    return Impl()\n"
    assert summary(lint(tmp_path, {"__init__.py": code}, "MB205")) == {
        ("MB205", "__init__.py", line_of(code, "async def get_cli"))
    }


# ---------------------------------------------------------------------------
# decorators and method kinds


def test_unknown_decorators_are_not_judged(tmp_path: Path) -> None:
    replace = {"get_cli": "    @log_calls\n    async def get_cli(self, verbose):\n        return None\n"}
    code = example_plugin_text(replace)
    assert lint(tmp_path, {"__init__.py": code}) == []


def test_abstractmethod_and_lru_cache_are_transparent(tmp_path: Path) -> None:
    replace = {
        "get_cli": "    @functools.lru_cache(maxsize=1)\n    def get_cli(self, verbose):\n        return None\n",
    }
    code = example_plugin_text(replace).replace(PI, PI + "import functools\n")
    assert summary(lint(tmp_path, {"__init__.py": code}, "MB206")) == {
        ("MB206", "__init__.py", line_of(code, "def get_cli"))
    }


def test_class_attribute_counts_as_a_method(tmp_path: Path) -> None:
    replace = {"get_cli": "    get_cli = staticmethod(build)\n"}
    code = example_plugin_text(replace).replace(PI, PI + "from .cli import build\n")
    assert lint(tmp_path, {"__init__.py": code, "cli.py": "def build():\n    return None\n"}) == []


def test_getattr_makes_missing_methods_unknowable(tmp_path: Path) -> None:
    code = PI + "\n\nclass Plugin(PluginInterface):\n    def __getattr__(self, name):\n        return lambda: None\n"
    assert lint(tmp_path, {"__init__.py": code + "\n\ndef get_plugin_interface():\n    return Plugin()\n"}) == []


def example_plugin_text(replace: dict[str, str]) -> str:
    return PI + "\n\n" + example_class(replace=replace) + "\n\ndef get_plugin_interface():\n    return Plugin()\n"


# ---------------------------------------------------------------------------
# literal returns and the manifest


def test_metadata_literal_drift_is_reported_by_mb111(tmp_path: Path) -> None:
    replace = {
        "get_metadata": (
            "    def get_metadata(self):\n        return PluginMetadata(\n"
            "            name='example', version='1.0', tags=['example'], author=AUTHOR,\n"
            "            license='Apache-2.0',\n        )\n"
        )
    }
    code = example_plugin_text(replace).replace(PI, PI + "from milkbottle.plugin_system import PluginMetadata\n")
    found = lint(tmp_path, {"__init__.py": code}, "MB111")
    # version 1.0 == 1.0.0 (PEP 440), AUTHOR is not a literal, the license differs
    assert summary(found) == {("MB111", "__init__.py", line_of(code, "license='Apache-2.0'"))}
    assert "Apache-2.0" in found[0].message and "MIT" in found[0].message


def test_metadata_from_a_local_class_named_like_the_host_one_is_ignored(tmp_path: Path) -> None:
    replace = {"get_metadata": "    def get_metadata(self):\n        return PluginMetadata(version='9')\n"}
    code = example_plugin_text(replace) + "\n\nclass PluginMetadata:\n    def __init__(self, **kw):\n        pass\n"
    assert lint(tmp_path, {"__init__.py": code}, "MB111") == []


def test_list_returned_through_a_constant_is_compared(tmp_path: Path) -> None:
    replace = {"get_capabilities": "    def get_capabilities(self):\n        return CAPS\n"}
    code = "CAPS = ['example', 'extra']\n" + example_plugin_text(replace)
    assert summary(lint(tmp_path, {"__init__.py": code}, "MB207")) == {("MB207", "__init__.py", 1)}


def test_mutated_constant_is_not_taken_as_literal(tmp_path: Path) -> None:
    replace = {"get_capabilities": "    def get_capabilities(self):\n        return CAPS\n"}
    code = "CAPS = ['example', 'extra']\nCAPS.remove('extra')\n" + example_plugin_text(replace)
    assert lint(tmp_path, {"__init__.py": code}, "MB207") == []


def test_health_check_with_spread_or_computed_key_is_not_judged(tmp_path: Path) -> None:
    for index, body in enumerate(("{**base}", "{KEY: 'ok'}", "{'state': 'ok', **extra}")):
        replace = {"health_check": f"    def health_check(self):\n        return {body}\n"}
        assert lint(tmp_path / str(index), {"__init__.py": example_plugin_text(replace)}, "MB208") == []


# ---------------------------------------------------------------------------
# config schemas and default configs


def schema_plugin(schema: str, local: bool = False) -> str:
    if local:
        body = f"    def get_config_schema(self):\n        schema = {schema}\n        return schema\n"
    else:
        body = f"    def get_config_schema(self):\n        return {schema}\n"
    return example_plugin_text({"get_config_schema": body})


def test_schema_from_a_local_variable_is_checked(tmp_path: Path) -> None:
    code = schema_plugin("{'type': 'object', 'properties': {'n': {'type': 'integr'}}}", local=True)
    assert summary(lint(tmp_path, {"__init__.py": code}, "MB250")) == {
        ("MB250", "__init__.py", line_of(code, "'integr'"))
    }


def test_schema_draft_from_dollar_schema(tmp_path: Path) -> None:
    draft4 = "{'$schema': 'http://json-schema.org/draft-04/schema#', 'properties': {'n': {'exclusiveMinimum': True, 'minimum': 1}}}"
    assert lint(tmp_path / "ok", {"__init__.py": schema_plugin(draft4)}, "MB250") == []
    latest = "{'properties': {'n': {'exclusiveMinimum': True}}}"
    assert [f.rule for f in lint(tmp_path / "bad", {"__init__.py": schema_plugin(latest)}, "MB250")] == ["MB250"]
    unknown = "{'$schema': 'https://example.com/my-schema', 'type': 'object'}"
    found = lint(tmp_path / "unknown", {"__init__.py": schema_plugin(unknown)}, "MB250")
    assert [(f.rule, f.severity.value) for f in found] == [("MB250", "warning")]


def test_default_config_skipped_when_a_hole_could_make_the_schema_stricter(tmp_path: Path) -> None:
    schema = "{'type': 'object', 'properties': {'mode': {'not': {'enum': BAD}}}}"
    files = {"__init__.py": schema_plugin(schema), "config.yaml": "mode: anything\n"}
    assert lint(tmp_path / "not", files, "MB252") == []
    schema = "{'type': 'object', 'properties': {'mode': {'enum': MODES}}, 'required': ['mode']}"
    files = {"__init__.py": schema_plugin(schema), "config.yaml": "other: 1\n"}
    # leaving `enum` out only makes the schema looser: the missing key is still certain
    assert summary(lint(tmp_path / "loose", files, "MB252")) == {("MB252", "config.yaml", 1)}


def test_default_config_path_in_manifest(tmp_path: Path) -> None:
    schema = "{'type': 'object', 'properties': {'level': {'type': 'integer'}}}"
    files = {
        "plugin.yaml": EXAMPLE_MANIFEST + "default_config: defaults/config.json\n",
        "__init__.py": schema_plugin(schema),
        "defaults/config.json": '{\n  "level": "high"\n}\n',
        "config.yaml": "level: also-wrong-but-not-the-default\n",
    }
    assert summary(lint(tmp_path, files, "MB252", "MB253")) == {("MB252", "defaults/config.json", 2)}


def test_bottle_config_schema_is_checked(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": (
            '[project]\nname = "b"\nversion = "1.0.0"\n\n'
            '[project.entry-points."milkbottle.bottles"]\nb = "bpkg:get_cli"\n'
        ),
        "bpkg/__init__.py": (
            "import click\n\n__alias__ = 'b'\n__version__ = '1.0.0'\n\n\ndef get_cli():\n    return click.Command('b')\n\n\n"
            "def get_config_schema():\n    return {'type': 'object', 'required': 'x'}\n"
        ),
    }
    assert summary(lint(tmp_path, files)) == {("MB250", "bpkg/__init__.py", 12)}


# ---------------------------------------------------------------------------
# bottles


def bottle(init: str, entry: str = "bpkg:get_cli", extra: dict[str, str] | None = None) -> dict[str, str]:
    files = {
        "pyproject.toml": (
            '[project]\nname = "b"\nversion = "1.0.0"\n\n'
            f'[project.entry-points."milkbottle.bottles"]\nb = "{entry}"\n'
        ),
        "bpkg/__init__.py": init,
    }
    files.update(extra or {})
    return files


GOOD_BOTTLE = "import click\n\n__alias__ = 'b'\n__version__ = '1.0.0'\n\n\ndef get_cli():\n    return click.Command('b')\n"


def test_bottle_in_flat_layout_with_reexported_cli(tmp_path: Path) -> None:
    init = "from .cli import get_cli, validate_config\n\n__alias__ = 'b'\n__version__ = '1.0.0'\n"
    cli = "import click\n\n\ndef get_cli():\n    return click.Command('b')\n\n\ndef validate_config(config, *, strict=True):\n    return True\n"
    assert lint(tmp_path, bottle(init, extra={"bpkg/cli.py": cli})) == []


def test_bottle_reexported_function_with_wrong_shape_points_at_its_def(tmp_path: Path) -> None:
    init = "from .cli import get_cli\n\n__alias__ = 'b'\n__version__ = '1.0.0'\n"
    cli = "def get_cli(app):\n    return app\n"
    assert summary(lint(tmp_path, bottle(init, extra={"bpkg/cli.py": cli}))) == {("MB213", "bpkg/cli.py", 1)}


def test_bottle_entry_point_with_missing_get_cli_reported_once(tmp_path: Path) -> None:
    init = "__alias__ = 'b'\n__version__ = '1.0.0'\n"
    found = lint(tmp_path, bottle(init))
    assert summary(found) == {("MB211", "pyproject.toml", 6)}


def test_bottle_module_getattr_is_not_judged(tmp_path: Path) -> None:
    init = GOOD_BOTTLE + "\n\ndef __getattr__(name):\n    raise AttributeError(name)\n"
    assert lint(tmp_path, bottle(init, entry="bpkg:anything")) == []


def test_bottle_submodule_entry_point(tmp_path: Path) -> None:
    extra = {"bpkg/sub/__init__.py": GOOD_BOTTLE}
    assert lint(tmp_path, bottle(GOOD_BOTTLE, entry="bpkg.sub:get_cli", extra=extra)) == []


# ---------------------------------------------------------------------------
# the facts


def facts_of(code: str, path: str = "__init__.py", module: str = "example") -> InterfaceFacts:
    outcome = analyse_file(FileJob(path, code.encode(), module, "example", path.endswith("__init__.py")))
    facts = outcome.facts.interface
    assert isinstance(facts, InterfaceFacts)
    return facts


def test_positions_only_where_they_may_be_reported() -> None:
    plain = facts_of("class Point:\n    def norm(self):\n        return 0\n", "geometry.py", "example.geometry")
    assert plain.classes[0].span is None and plain.classes[0].methods[0].span is None
    relevant = facts_of("class Point:\n    def get_cli(self):\n        return 0\n", "geometry.py", "example.geometry")
    assert relevant.classes[0].span is not None and relevant.classes[0].methods[0].span is not None


def test_facts_are_picklable_and_complete() -> None:
    code = (
        PI + "from typing import cast\n\nSCHEMA = {'type': 'object', 'properties': {'a': {'enum': sorted(X)}}}\n\n\n"
        "class P(PluginInterface):\n"
        "    @staticmethod\n    def get_config_schema(*args, k=1, **kw):\n        return SCHEMA\n\n\n"
        "plugin = cast(PluginInterface, P())\n"
        "get_plugin_interface = lambda: plugin\n"
    )
    facts = facts_of(code)
    assert pickle.loads(pickle.dumps(facts)) == facts
    (cls,) = facts.classes
    assert cls.bases == (("milkbottle.plugin_system.core.PluginInterface",),)
    method = cls.method("get_config_schema")
    assert method is not None and method.decorators == ("builtins.staticmethod",)
    assert [p.kind for p in method.params] == [
        ParamKind.VAR_POSITIONAL, ParamKind.KEYWORD_ONLY, ParamKind.VAR_KEYWORD
    ]
    (ret,) = method.returns
    assert ret.kind is ReturnKind.LITERAL and ret.literal is not None
    assert ret.literal.value == {"type": "object", "properties": {"a": {}}}
    assert ret.literal.holes == ("/properties/a/enum",)
    assert ret.literal.span_map()["/properties/a/enum"].line == line_of(code, "sorted(X)")
    assert [(i.name, i.target) for i in facts.instances] == [("plugin", "example.P")]
    (entry,) = facts.functions
    assert entry.is_lambda and entry.returns[0].kind is ReturnKind.NAME


# ---------------------------------------------------------------------------
# calls: the acceptance logic agrees with Python's own binding

_KINDS = {
    ParamKind.POSITIONAL_ONLY: inspect.Parameter.POSITIONAL_ONLY,
    ParamKind.POSITIONAL: inspect.Parameter.POSITIONAL_OR_KEYWORD,
    ParamKind.VAR_POSITIONAL: inspect.Parameter.VAR_POSITIONAL,
    ParamKind.KEYWORD_ONLY: inspect.Parameter.KEYWORD_ONLY,
    ParamKind.VAR_KEYWORD: inspect.Parameter.VAR_KEYWORD,
}


@st.composite
def parameter_lists(draw: st.DrawFn) -> list[Param]:
    params: list[Param] = []
    default_seen = False
    for kind in (ParamKind.POSITIONAL_ONLY, ParamKind.POSITIONAL):
        for _ in range(draw(st.integers(0, 3))):
            has_default = draw(st.booleans()) or default_seen
            default_seen = default_seen or has_default
            params.append(Param(f"p{len(params)}", kind, has_default))
    if draw(st.booleans()):
        params.append(Param("args", ParamKind.VAR_POSITIONAL))
    for _ in range(draw(st.integers(0, 2))):
        params.append(Param(f"k{len(params)}", ParamKind.KEYWORD_ONLY, draw(st.booleans())))
    if draw(st.booleans()):
        params.append(Param("kwargs", ParamKind.VAR_KEYWORD))
    return params


@given(parameter_lists(), st.integers(0, 3), st.integers(0, 1))
def test_call_problems_agrees_with_signature_binding(params: list[Param], positional: int, implicit: int) -> None:
    signature = inspect.Signature(
        [
            inspect.Parameter(p.name, _KINDS[p.kind], default=0 if p.has_default else inspect.Parameter.empty)
            for p in params
        ]
    )
    try:
        signature.bind(*range(implicit + positional))
        binds = True
    except TypeError:
        binds = False
    assert (call_problems(params, positional, implicit) == []) == binds


# ---------------------------------------------------------------------------
# robustness: interface-shaped code of every kind never breaks the collector or the rules

_EXPRS = (
    "None", "Plugin()", "Plugin", "plugin", "{'status': x}", "[1, CONST]", "cast(PluginInterface, Plugin())",
    "a if b else Plugin()", "make()", "self", "{**x}", "{K: 1}", "CONST", "f'x'", "-1", "(1, 2)", "{1, 2}",
    "core.Plugin()", "[*a]", "PluginMetadata(name='x', version=V, tags=[1])", "{'a': {'b': [1, {'c': x}]}}",
)
_NAMES = (
    "get_cli", "validate_config", "health_check", "initialize", "shutdown", "get_capabilities", "get_dependencies",
    "get_config_schema", "get_metadata", "get_plugin_interface", "__init__", "__getattr__", "other",
)
_DECORATORS = ("", "@staticmethod\n", "@classmethod\n", "@property\n", "@abc.abstractmethod\n", "@deco\n")
_PARAMS = ("", "self", "self, config", "*args", "self, *, k", "self, a=1, /, b=2, *c, d, **e", "cls")
_BASES = ("", "PluginInterface", "PI", "Base", "core.Base", "object", "Generic[T]", "metaclass=M", "Plugin")
_HEADER = (
    "import abc\nfrom typing import Generic, cast\n"
    "from milkbottle.plugin_system.core import PluginInterface, PluginMetadata\n"
    "from milkbottle.plugin_system import PluginInterface as PI\nfrom . import core\n"
)


@st.composite
def interface_modules(draw: st.DrawFn) -> str:
    parts = [_HEADER]
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(("class", "def", "assign", "star", "mutate", "lambda")))
        name = draw(st.sampled_from(_NAMES))
        expr = draw(st.sampled_from(_EXPRS))
        if kind == "class":
            cls = draw(st.sampled_from(("Plugin", "Base", "Other")))
            methods = "".join(
                "    " + draw(st.sampled_from(_DECORATORS)).replace("\n", "\n    ")
                + f"{draw(st.sampled_from(('def', 'async def')))} {draw(st.sampled_from(_NAMES))}"
                f"({draw(st.sampled_from(_PARAMS))}):\n        "
                + draw(st.sampled_from((f"return {draw(st.sampled_from(_EXPRS))}", "yield 1", "pass", "return")))
                + "\n"
                for _ in range(draw(st.integers(0, 4)))
            )
            parts.append(f"class {cls}({draw(st.sampled_from(_BASES))}):\n{methods or '    pass'}\n")
        elif kind == "def":
            parts.append(
                f"def {name}({draw(st.sampled_from(_PARAMS))}):\n    x = {draw(st.sampled_from(_EXPRS))}\n"
                f"    return {draw(st.sampled_from(('x', expr)))}\n"
            )
        elif kind == "assign":
            parts.append(f"{draw(st.sampled_from((name, 'plugin', 'CONST', 'K')))} = {expr}\n")
        elif kind == "star":
            parts.append("from .core import *\n")
        elif kind == "mutate":
            parts.append("CONST['a'] = 1\nCONST.update(b=2)\n")
        else:
            parts.append(f"{name} = lambda {draw(st.sampled_from(('', 'x', '*a')))}: {expr}\n")
    return "\n".join(parts)


@given(interface_modules(), interface_modules(), st.booleans())
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_interface_rules_never_fail(tmp_path: Path, init: str, core: str, manifest: bool) -> None:
    files = {"__init__.py": init, "core.py": core}
    if manifest:
        files["plugin.yaml"] = EXAMPLE_MANIFEST + "default_config:\n  a: 1\n"
    root = write_plugin(tmp_path / str(abs(hash((init, core, manifest)))), files)
    report = run(root, Config(select=(*INTERFACE_CODES, "MB111", "MB005")))
    assert [f.message for f in findings(report, "MB005")] == []


def test_plugin_rules_load_without_the_parser() -> None:
    """Cached runs never load libcst: the interface and config rules live apart from the collector."""
    import subprocess
    import sys

    code = (
        "import sys\nimport mbcheck.checks.interface.rules, mbcheck.checks.interface.rules_methods\n"
        "import mbcheck.checks.interface.rules_bottles, mbcheck.checks.config.rules\n"
        "print('libcst' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_entry_point_from_another_library_is_unresolved_not_missing(tmp_path: Path) -> None:
    found = lint(tmp_path, {"__init__.py": '"""Doc."""\nfrom sdk.loader import get_plugin_interface\n'})
    assert [(f.rule, f.span.path, f.span.line) for f in found] == [("MB209", "__init__.py", 1)]


def test_the_collector_reads_the_methods_of_the_runs_host_profile() -> None:
    """The per-file pass is given the run's host profile's interface methods; without a run it
    falls back to every shipped profile's."""
    import libcst as cst

    from mbcheck.checks.interface.collect import InterfaceCollector
    from mbcheck.checks.interface.contract import known_interface_methods
    from mbcheck.pyfile.jobs import FileOptions
    from mbcheck.pyfile.traverse import FileContext

    module = cst.parse_module("class P:\n    def custom(self): ...\n")
    given = FileContext(module, "m.py", "pkg.m", "pkg", False, options=FileOptions(interface_methods=frozenset({"custom"})))
    assert InterfaceCollector(given).methods == {"custom"}
    alone = FileContext(module, "m.py", "pkg.m", "pkg", False)
    assert InterfaceCollector(alone).methods == known_interface_methods()
