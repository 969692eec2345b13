# ruff: noqa
"""Changes to the host, builtins and the import system."""
import builtins
import sys

import milkbottle.plugin_system.core
from milkbottle.plugin_system import core


def spy(*args, **kwargs):
    return None


class Finder:
    def find_spec(self, *args):
        return None


milkbottle.plugin_system.core.PluginManager.validate_plugin = lambda *a: True  # attack: MB340
core.PluginManager.load_plugin = spy  # attack: MB340
builtins.open = spy  # attack: MB340
setattr(builtins, "print", spy)  # attack: MB340
__builtins__["input"] = spy  # attack: MB340
sys.meta_path.insert(0, Finder())  # attack: MB340
sys.path_hooks.append(spy)  # attack: MB340
sys.modules["json"] = spy  # attack: MB340
sys.addaudithook(spy)  # attack: MB340
builtins.__import__ = spy  # attack: MB340
