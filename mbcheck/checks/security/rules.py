"""Plugin-level security rules: permissions (MB300-MB302), import-time side effects (MB330), build hooks (MB351).

They read the plugin's permission analysis (``plugin.facts.permissions``, see
:mod:`mbcheck.checks.security.analysis`) and the ``security`` facts the
per-file collector recorded, and never load libcst, so a fully cached run
still infers permissions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from mbcheck.checks.security.analysis import (
    PermissionAnalysis,
    call_graph,
    discovery_reachable,
    reached_effect,
    security_facts,
    side_effects,
)
from mbcheck.checks.security.classify import short_name
from mbcheck.checks.security.facts import Evidence
from mbcheck.checks.security.tables import PERMISSIONS, SIDE_EFFECT_PERMISSIONS
from mbcheck.checks.sites import is_bottle
from mbcheck.context import PluginContext
from mbcheck.model import NOT_STATIC, Category, Confidence, Fix, Severity
from mbcheck.rules.base import EXAMPLE_MANIFEST, Invalid, PluginRule, Valid


def declared_permissions(plugin: PluginContext) -> list[str] | None:
    """The manifest's ``permissions`` list, or None when it is absent or not a literal list."""
    located = plugin.model.fields.get("permissions")
    if located is None or located.value is NOT_STATIC or not isinstance(located.value, list):
        return None
    return [p for p in located.value if isinstance(p, str)]


class _DeclaredPermissionsRule(PluginRule):
    """A rule comparing the manifest's ``permissions`` list with what the code uses.

    It checks only a manifest whose ``permissions`` is a literal list.
    """

    def check(self, plugin: PluginContext) -> None:
        declared = declared_permissions(plugin)
        if declared is not None:
            self.compare(plugin, plugin.facts.permissions, declared)

    def compare(self, plugin: PluginContext, analysis: PermissionAnalysis, declared: list[str]) -> None:
        raise NotImplementedError


def permissions_fix(plugin: PluginContext, permissions: list[str], title: str) -> Fix | None:
    """Write ``permissions`` into plugin.yaml's `permissions`: unsafe, it changes what the host's
    gate grants (a dunder-only plugin gets no plugin.yaml)."""
    from mbcheck.checks.manifest.fixes import set_list, yaml_fix

    return yaml_fix(plugin, "permissions", set_list("permissions", permissions), title, unsafe=True)


def _describe(evidence: Evidence) -> str:
    kind = {"import": "import of", "call": "call of", "attribute": "use of"}.get(evidence.kind, "use of")
    return f"{kind} `{short_name(evidence.via)}`"


class UndeclaredPermission(_DeclaredPermissionsRule):
    """The code uses a permission the manifest's `permissions` does not declare.

    Reported at the first use in each file (the import, call or attribute that
    proves it); the report's `permissions.evidence` lists every use. A use that
    depends on a value mbcheck cannot see (`open(path, mode)` with a computed
    mode) is a warning.
    Why: MilkBottle's loader asks the user to consent to what a plugin declares;
    a plugin that does more than it declares gets consent it never asked for.
    Instead: add the permission to `permissions` in plugin.yaml, or remove the
    code that needs it.
    """

    code = "MB300"
    name = "undeclared-permission"
    category = Category.SECURITY
    severity = Severity.ERROR
    other_severities: ClassVar[Mapping[Severity, str]] = {
        Severity.WARNING: "the use depends on a value mbcheck cannot see (`open(path, mode)` with a computed mode)",
    }
    confidence = Confidence.HIGH
    VALID = (
        Valid("import subprocess\n\ndef run():\n    subprocess.run(['ls'], check=True)\n",
              files={"plugin.yaml": EXAMPLE_MANIFEST + "permissions: [subprocess]\n"}),
        Valid("def greet(name):\n    return 'eval and subprocess are just words: ' + name\n",
              files={"plugin.yaml": EXAMPLE_MANIFEST + "permissions: []\n"}),
    )
    INVALID = (
        Invalid("import subprocess as sp\n\ndef run(cmd):\n    sp.run(cmd)\n", files={"plugin.yaml": EXAMPLE_MANIFEST + "permissions: []\n"},
                line=1, fixed={"plugin.yaml": EXAMPLE_MANIFEST + "permissions: [subprocess]\n"}),
        Invalid("import os\n\ndef home():\n    return os.environ['HOME']\n",
                files={"plugin.yaml": EXAMPLE_MANIFEST + "permissions: [network]\n"}, line=4,
                fixed={"plugin.yaml": EXAMPLE_MANIFEST + "permissions: [network, env]\n"}),
        Invalid("def save(path, text):\n    with open(path, 'w') as f:\n        f.write(text)\n",
                files={"plugin.yaml": EXAMPLE_MANIFEST + "permissions:  # reviewed\n  - env\n"}, line=2,
                fixed={"plugin.yaml": EXAMPLE_MANIFEST + "permissions:  # reviewed\n  - env\n  - fs-write\n"}),
    )

    def compare(self, plugin: PluginContext, analysis: PermissionAnalysis, declared: list[str]) -> None:
        missing = set(analysis.inferred) - set(declared)
        if not missing:
            return
        certain = {e.permission for _, e in analysis.evidence if e.certain}
        first: dict[tuple[str, str], Evidence] = {}
        for path, evidence in analysis.evidence:
            if evidence.permission not in missing:
                continue
            key = (evidence.permission, path)
            current = first.get(key)
            if current is None or (evidence.certain and not current.certain):
                first[key] = evidence
        manifest = plugin.model.manifest_path or "the manifest"
        wanted = [*declared, *sorted(missing)]
        fix = permissions_fix(plugin, wanted, f"Declare {', '.join(f'`{p}`' for p in sorted(missing))} in `permissions`")
        for (permission, _path), evidence in sorted(first.items(), key=lambda i: (i[0][1], i[1].span.line, i[0][0])):
            severity = None if permission in certain else Severity.WARNING
            if not evidence.certain:
                confidence = Confidence.LOW
            elif evidence.kind == "import":
                confidence = Confidence.MEDIUM
            else:
                confidence = None
            plugin.report(
                self,
                evidence.span,
                f"uses `{permission}` ({_describe(evidence)}) but `permissions` in {manifest} does not declare it",
                severity=severity,
                confidence=confidence,
                statement_line=evidence.statement_line,
                fix=fix,
            )


class UnusedPermission(_DeclaredPermissionsRule):
    """The manifest declares a permission the code never uses.

    Why: consent should be asked for what a plugin does: an unneeded permission
    makes users (and the loader's policy) grant more than necessary, and hides
    the permissions that matter.
    Instead: remove it from `permissions`; if the use is there but invisible to
    static analysis (a library does it on the plugin's behalf), keep it and
    suppress this finding with a comment in plugin.yaml's review notes.
    """

    code = "MB301"
    name = "unused-permission"
    category = Category.SECURITY
    severity = Severity.INFO
    confidence = Confidence.MEDIUM
    VALID = (
        Valid("import socket\n\ndef ping(host):\n    return socket.create_connection((host, 80), timeout=5)\n",
              files={"plugin.yaml": EXAMPLE_MANIFEST + "permissions: [network]\n"}),
    )
    INVALID = (
        Invalid(files={"__init__.py": "def greet(name):\n    return f'hello {name}'\n",
                       "plugin.yaml": EXAMPLE_MANIFEST + "permissions: [network, env]\n"}, path="plugin.yaml", line=10,
                fixed={"plugin.yaml": EXAMPLE_MANIFEST + "permissions: []\n"}),
    )

    def compare(self, plugin: PluginContext, analysis: PermissionAnalysis, declared: list[str]) -> None:
        located = plugin.model.fields["permissions"].value
        unused = [v for v in located if isinstance(v, str) and v in PERMISSIONS and v not in analysis.inferred]
        if not unused:
            return
        fix = permissions_fix(plugin, [v for v in declared if v not in unused],
                              f"Remove {', '.join(f'`{v}`' for v in unused)} from `permissions`")
        for index, value in enumerate(located):
            if isinstance(value, str) and value in unused:
                plugin.report(self, plugin.model.span(f"/permissions/{index}"),
                              f"permission `{value}` is declared but the code never uses it", fix=fix)


class PermissionsNotDeclared(PluginRule):
    """The manifest has no `permissions` key, so the inferred permissions are not declared.

    Reported once, at the manifest, when the code uses any permission; the
    report's `permissions.inferred` lists them. (An empty list, `permissions: []`,
    is a declaration: MB300 then reports every use.)
    Why: without a declaration the loader cannot ask for consent, and a new
    version that starts using the network changes nothing visible.
    Instead: add `permissions: [...]` to plugin.yaml with exactly what the plugin
    needs.
    """

    code = "MB302"
    name = "permissions-not-declared"
    category = Category.SECURITY
    severity = Severity.INFO
    confidence = Confidence.HIGH
    VALID = (
        Valid("import os\n\ndef home():\n    return os.environ['HOME']\n", files={"plugin.yaml": EXAMPLE_MANIFEST + "permissions: [env]\n"}),
        Valid("def greet(name):\n    return name\n"),
    )
    INVALID = (
        Invalid(files={"__init__.py": "import os\n\ndef home():\n    return os.environ['HOME']\n",
                       "plugin.yaml": "# the example plugin\n" + EXAMPLE_MANIFEST}, path="plugin.yaml", line=2,
                fixed={"plugin.yaml": "# the example plugin\n" + EXAMPLE_MANIFEST + "permissions: [env]\n"}),
    )

    def check(self, plugin: PluginContext) -> None:
        analysis = plugin.facts.permissions
        if is_bottle(plugin) or "permissions" in plugin.model.fields:
            return  # a bottle has no manifest to declare permissions in
        if not analysis.inferred:
            return
        listed = ", ".join(analysis.inferred)
        plugin.report(self, plugin.model.span(),
                      f"`permissions` is not declared; the code uses: {listed} (add `permissions: [{listed}]`)",
                      fix=permissions_fix(plugin, list(analysis.inferred), f"Declare `permissions: [{listed}]`"))


# --------------------------------------------------------------------------


class ImportTimeSideEffect(PluginRule):
    """Code run while the module is imported uses the network, a process, file writes or dynamic code.

    Import time is the module's top level, class bodies, decorators and default
    argument values (not function bodies, and not `if __name__ == "__main__":`),
    including calls there of the plugin's own functions and classes that do it
    (followed across the plugin's modules). Modules the host imports while
    discovering the plugin (the package and what it imports at top level) are
    errors; other modules, which run when first imported, are warnings.
    Why: the host imports a plugin to discover it, before the user has enabled
    it or seen its permissions: code at import time runs on every start, for
    every user who merely has the plugin installed.
    Instead: do the work in `initialize()` or in the command that needs it.
    """

    code = "MB330"
    name = "import-time-side-effect"
    category = Category.SECURITY
    severity = Severity.ERROR
    other_severities: ClassVar[Mapping[Severity, str]] = {
        Severity.WARNING: "the side effect runs when a module the host does not import at discovery is first imported",
    }
    confidence = Confidence.HIGH
    VALID = (
        Valid("import urllib.request\n\ndef fetch(url):\n    return urllib.request.urlopen(url, timeout=5)\n"),
        Valid("import subprocess\n\nif __name__ == '__main__':\n    subprocess.run(['ls'], check=True)\n"),
        Valid("import os\nDEBUG = os.environ.get('HELLO_DEBUG') == '1'\n"),
    )
    INVALID = (
        Invalid("import urllib.request\nurllib.request.urlopen('https://collect.example/ping', timeout=5)\n",
                line=2),
        Invalid("import subprocess\n\ndef _setup():\n    subprocess.run(['id'], check=True)\n\n_setup()\n", line=6),
        Invalid("import subprocess\n\ndef handler(out=subprocess.check_output(['whoami'])):\n    return out\n", line=3),
        Invalid("from .net import beacon\n\nbeacon()\n",
                files={"net.py": "import socket\n\ndef beacon():\n    socket.create_connection(('x.example', 80), 5)\n"},
                line=3),
    )

    def check(self, plugin: PluginContext) -> None:
        facts = security_facts(plugin)
        if not facts:
            return
        reachable = discovery_reachable(plugin, facts)
        reported: set[tuple[str, int]] = set()
        for path, fact in sorted(facts.items()):
            if path == "setup.py" or path.endswith("__main__.py"):
                continue  # install-time (MB350), or run only as a program
            for evidence in fact.evidence:
                if not (evidence.at_import_time and evidence.kind == "call"
                        and evidence.permission in SIDE_EFFECT_PERMISSIONS):
                    continue
                key = (path, evidence.statement_line)
                if key in reported:
                    continue
                reported.add(key)
                self._report(plugin, path, fact.module, path in reachable, evidence.span, evidence.statement_line,
                             f"`{short_name(evidence.via)}` ({evidence.permission}) runs")
        effects = side_effects(facts)
        graph = call_graph(facts)
        for path, fact in sorted(facts.items()):
            if path == "setup.py" or path.endswith("__main__.py"):
                continue
            for call in fact.import_time_calls:
                key = (path, call.statement_line)
                if key in reported:
                    continue
                found = reached_effect(call.callee, graph, effects)
                if found is None:
                    continue
                reported.add(key)
                where, evidence = found
                short = call.callee.rsplit(".", 1)[-1]
                self._report(plugin, path, fact.module, path in reachable, call.span, call.statement_line,
                             f"`{short}()` uses {evidence.permission} "
                             f"(`{short_name(evidence.via)}` at {where}:{evidence.span.line}) and runs")

    def _report(self, plugin: PluginContext, path: str, module: str, at_discovery: bool, span: Any,
                statement_line: int, what: str) -> None:
        if at_discovery:
            message = (f"{what} at import time: the host runs it while discovering the plugin, "
                       "before the user enables it")
            plugin.report(self, span, message, statement_line=statement_line)
        else:
            message = f"{what} at import time, whenever `{module}` is first imported"
            plugin.report(self, span, message, severity=Severity.WARNING, statement_line=statement_line)


# --------------------------------------------------------------------------


def _build_hooks(data: Any) -> list[tuple[str, str]]:
    """``(pointer, what)`` for every hook in a pyproject.toml that runs the project's own code at build time."""
    if not isinstance(data, dict):
        return []
    found: list[tuple[str, str]] = []
    system = data.get("build-system")
    if isinstance(system, dict) and "backend-path" in system:
        found.append(("/build-system/backend-path", "an in-tree build backend (`backend-path`)"))
    raw_tool = data.get("tool")
    tool: dict[str, Any] = raw_tool if isinstance(raw_tool, dict) else {}
    setuptools = tool.get("setuptools")
    if isinstance(setuptools, dict) and "cmdclass" in setuptools:
        found.append(("/tool/setuptools/cmdclass", "replaced setuptools commands (`cmdclass`)"))
    hatch_build = tool.get("hatch", {}).get("build") if isinstance(tool.get("hatch"), dict) else None
    if isinstance(hatch_build, dict):
        hooks = hatch_build.get("hooks")
        if isinstance(hooks, dict) and "custom" in hooks:
            found.append(("/tool/hatch/build/hooks/custom", "a custom hatch build hook"))
        targets = hatch_build.get("targets")
        if isinstance(targets, dict):
            for name, target in sorted(targets.items()):
                if isinstance(target, dict) and isinstance(target.get("hooks"), dict) and "custom" in target["hooks"]:
                    found.append((f"/tool/hatch/build/targets/{name}/hooks/custom",
                                  f"a custom hatch build hook for `{name}`"))
    poetry = tool.get("poetry")
    if isinstance(poetry, dict) and isinstance(poetry.get("build"), dict) and "script" in poetry["build"]:
        found.append(("/tool/poetry/build/script", "a poetry build script"))
    return found


class BuildHook(PluginRule):
    """`pyproject.toml` runs the project's own code when it is built or installed from source.

    An in-tree build backend (`[build-system] backend-path`), replaced setuptools
    commands (`[tool.setuptools] cmdclass`), a custom hatch build hook, or a poetry
    build script.
    Why: building a wheel from the source distribution (what `pip install` does when
    no wheel fits) runs that code with the installing user's rights, before the
    plugin is ever loaded or checked by the host; it is the declarative
    equivalent of a `setup.py` with custom commands (MB350).
    Instead: use a standard build backend without hooks, and generate files in CI
    before publishing. If a hook is needed, keep it small and review it as
    install-time code.
    """

    code = "MB351"
    name = "build-hook"
    category = Category.SECURITY
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    VALID = (
        Valid(files={"plugin.yaml": EXAMPLE_MANIFEST,
                     "pyproject.toml": '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'},
              path="pyproject.toml"),
    )
    INVALID = (
        Invalid(files={"plugin.yaml": EXAMPLE_MANIFEST,
                       "pyproject.toml": '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "backend"\n'
                                         'backend-path = ["_build"]\n'},
                path="pyproject.toml", line=4),
        Invalid(files={"plugin.yaml": EXAMPLE_MANIFEST,
                       "pyproject.toml": '[project]\nname = "x"\n\n[tool.hatch.build.targets.wheel.hooks.custom]\n'
                                         'path = "hatch_build.py"\n'},
                path="pyproject.toml"),
    )

    def check(self, plugin: PluginContext) -> None:
        from mbcheck.documents.pointers import DocumentError, load_toml

        text = plugin.text("pyproject.toml")
        if text is None:
            return
        try:
            document = load_toml(text, "pyproject.toml")
        except DocumentError:
            return  # the manifest rules report unreadable documents
        for pointer, what in _build_hooks(document.value):
            plugin.report(self, document.key_span(pointer), f"{what} runs the project's code at build/install time")


__all__ = [
    "BuildHook",
    "ImportTimeSideEffect",
    "PermissionsNotDeclared",
    "UndeclaredPermission",
    "UnusedPermission",
    "declared_permissions",
]
