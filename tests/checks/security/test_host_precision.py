"""MB340/MB341 on honest code: restoring a saved original, configuration objects, module aliases
under the plugin's own name, the display hook's ``_``; and the attack twin of each, still reported."""

from __future__ import annotations

from pathlib import Path

from mbcheck.model import Finding, Severity
from tests.helpers import run, write_plugin


def findings(tmp_path: Path, source: str) -> list[Finding]:
    root = write_plugin(tmp_path, {"plugin.yaml": "name: example\nversion: 1.0.0\n", "__init__.py": source})
    report = run(root, {"select": ["MB34"]})
    assert not report.errors, report.errors
    return [f for p in report.plugins for f in p.findings]


def at(found: list[Finding], rule: str) -> list[tuple[int, Severity]]:
    return sorted((f.span.line, f.severity) for f in found if f.rule == rule)


W, E = Severity.WARNING, Severity.ERROR

# -- 1. putting back a saved original ----------------------------------------------------------

RESTORE_IN_FINALLY = """\
import contextlib
import pdb

@contextlib.contextmanager
def isolation():
    old_pdb_init = pdb.Pdb.__init__

    def quiet(self, *args, **kwargs):
        old_pdb_init(self, *args, **kwargs)

    pdb.Pdb.__init__ = quiet
    try:
        yield
    finally:
        pdb.Pdb.__init__ = old_pdb_init
"""


def test_restoring_the_saved_original_is_not_a_second_patch(tmp_path: Path) -> None:
    assert at(findings(tmp_path, RESTORE_IN_FINALLY), "MB341") == [(11, W)]


def test_a_saved_name_rebound_to_something_else_is_still_a_patch(tmp_path: Path) -> None:
    source = RESTORE_IN_FINALLY.replace("        yield\n", "        yield\n        old_pdb_init = print\n")
    assert at(findings(tmp_path, source), "MB341") == [(11, W), (16, W)]


def test_a_value_read_from_another_target_is_still_a_patch(tmp_path: Path) -> None:
    source = "import json\n\ndef swap():\n    old = json.loads\n    json.dumps = old\n"
    assert at(findings(tmp_path, source), "MB341") == [(5, W)]


TRACER_SAVED_ON_SELF = """\
import sys

class Pause:
    def __init__(self):
        self.prev_tracer = None
        self.prev_profiler = None

    def __enter__(self):
        self.prev_tracer = sys.gettrace()
        sys.settrace(None)
        self.prev_profiler = sys.getprofile()
        sys.setprofile(None)

    def __exit__(self, *exc):
        sys.settrace(self.prev_tracer)
        sys.setprofile(self.prev_profiler)
"""


def test_restoring_the_saved_tracer_and_profiler_is_not_a_hook(tmp_path: Path) -> None:
    assert at(findings(tmp_path, TRACER_SAVED_ON_SELF), "MB340") == []


def test_installing_a_tracer_held_on_self_is_still_reported(tmp_path: Path) -> None:
    source = TRACER_SAVED_ON_SELF.replace("self.prev_profiler = sys.getprofile()", "self.prev_profiler = spy")
    assert at(findings(tmp_path, "def spy(*a):\n    pass\n" + source), "MB340") == [(18, W)]


def test_local_saved_tracer_restored(tmp_path: Path) -> None:
    source = "import sys\n\ndef run(f):\n    prev = sys.gettrace()\n    sys.settrace(None)\n" \
             "    try:\n        f()\n    finally:\n        sys.settrace(prev)\n"
    assert at(findings(tmp_path, source), "MB340") == []


# -- 2. attributes of configuration objects ------------------------------------------------------

SETTINGS = """\
import django.conf
from django.conf import settings
from django.core.management.commands import migrate

def configure(urls, name):
    original = django.conf.settings.ROOT_URLCONF
    django.conf.settings.ROOT_URLCONF = urls
    settings.MIGRATION_MODULES = {}
    delattr(settings, name)
    migrate.Command = object
    django.conf.settings.ROOT_URLCONF = original
"""


def test_setting_values_on_a_settings_object_is_configuration(tmp_path: Path) -> None:
    # only the class replaced in its module is a patch
    assert at(findings(tmp_path, SETTINGS), "MB341") == [(10, W)]


def test_modules_and_classes_are_still_patched(tmp_path: Path) -> None:
    source = "import socket\nimport requests\nfrom django.core import mail\nimport settings\nfrom logging import config\n\n" \
             "socket.socket = object\nrequests.Session.request = print\nmail.outbox = []\nsettings.X = 1\n" \
             "config.dictConfig = print\n"
    assert at(findings(tmp_path, source), "MB341") == [(7, W), (8, W), (9, W), (10, W), (11, W)]


# -- 3. sys.modules entries -------------------------------------------------------------------------

def test_aliases_under_the_plugin_package_and_private_names_are_not_reported(tmp_path: Path) -> None:
    source = "import sys\n\ndef other(package_name):\n    return package_name\n\nfor mod in list(sys.modules):\n    sys.modules[f'example.vendored.{mod}'] = sys.modules[mod]\n\n" \
             "def load(self):\n    package_name = f'_example_templates_{id(self):x}'\n" \
             "    sys.modules[package_name] = object()\n"
    assert at(findings(tmp_path, source), "MB340") == []


def test_a_new_top_level_module_is_a_warning(tmp_path: Path) -> None:
    source = "import sys\nimport types\nsys.modules['htmlparser'] = types.ModuleType('htmlparser')\n"
    assert at(findings(tmp_path, source), "MB340") == [(3, W)]


def test_replacing_a_known_module_or_an_unknown_key_stays_an_error(tmp_path: Path) -> None:
    source = "import sys\n\ndef swap(name, fake):\n    sys.modules['json'] = fake\n    sys.modules['requests'] = fake\n" \
             "    sys.modules['_socket'] = fake\n    sys.modules[name] = fake\n    sys.modules[f'requests.{name}'] = fake\n" \
             "    sys.meta_path.insert(0, fake)\n    sys.path_hooks.append(fake)\n"
    assert at(findings(tmp_path, source), "MB340") == [(line, E) for line in range(4, 11)]


# -- 4. the display hook's last-result variable -------------------------------------------------------

DISPLAY_HOOK = """\
import builtins
import sys

def install(console):
    def show(value):
        if value is not None:
            builtins._ = None
            console.print(value)
            builtins._ = value
    sys.displayhook = show
"""


def test_display_hook_setting_underscore_is_not_host_tampering(tmp_path: Path) -> None:
    found = findings(tmp_path, DISPLAY_HOOK)
    assert at(found, "MB340") == []
    assert at(found, "MB341") == [(10, W)]  # installing the hook is still reported


def test_underscore_or_other_builtins_outside_a_display_hook_are_still_reported(tmp_path: Path) -> None:
    source = DISPLAY_HOOK.replace("sys.displayhook = show", "show(1)").replace("builtins._ = value",
                                                                                "builtins.print = value")
    assert at(findings(tmp_path, source), "MB340") == [(7, E), (9, E)]
