"""Plugin-level security rules: permissions (MB300-MB302) and import-time side effects (MB330).

They read the ``security`` facts the per-file collector recorded (see
``mbcheck.checks.security.collect``) and never load libcst, so a fully cached run
still infers permissions. Every one of these rules also fills the report's
``permissions`` section (``inferred`` and ``evidence``): the section is there as
long as any of them is enabled.

Which files count: every Python file of the plugin, except a root ``setup.py``
(install-time code, MB350) and test files (``tests/``, ``test_*.py``,
``*_test.py``, ``conftest.py``) that no other module of the plugin imports: the
host never runs them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from mbcheck.checks.security.facts import Evidence, SecurityFacts
from mbcheck.checks.security.tables import PERMISSIONS, SIDE_EFFECT_PERMISSIONS, tables
from mbcheck.context import PluginContext
from mbcheck.model import NOT_STATIC, Category, Confidence, PluginKind, Severity
from mbcheck.pyfile.facts import ImportFact
from mbcheck.rules.base import EXAMPLE_MANIFEST, Invalid, PluginRule, Valid

_CLASS_ENTRY = ("", ".__init__", ".__new__", ".__post_init__", ".__call__", ".__init_subclass__")


def _manifest(*permissions: str, extra: str = "") -> str:
    listed = ", ".join(permissions)
    return EXAMPLE_MANIFEST + f"permissions: [{listed}]\n" + extra


def _is_test_file(path: str) -> bool:
    parts = path.split("/")
    name = parts[-1]
    if name == "conftest.py" or name.startswith("test_") or name.endswith("_test.py"):
        return True
    return any(part in ("tests", "test", "testing") for part in parts[:-1])


def _security_facts(plugin: PluginContext) -> dict[str, SecurityFacts]:
    return {path: facts for path, facts in plugin.file_facts("security") if isinstance(facts, SecurityFacts)}


def _imports(plugin: PluginContext) -> dict[str, tuple[ImportFact, ...]]:
    return {path: tuple(f for f in facts if isinstance(f, ImportFact)) for path, facts in plugin.file_facts("imports")}


def _imported_modules(facts: Iterable[ImportFact]) -> set[str]:
    """Every dotted prefix of every imported name (importing ``a.b.c`` runs ``a`` and ``a.b``)."""
    out: set[str] = set()
    for fact in facts:
        for name in (fact.module, fact.source_module):
            parts = name.split(".")
            out.update(".".join(parts[: i + 1]) for i in range(len(parts)))
    return out


@dataclass(frozen=True)
class PermissionAnalysis:
    """What the plugin's code does, by permission, from the files that count."""

    evidence: tuple[tuple[str, Evidence], ...]
    inferred: tuple[str, ...]
    counted_files: frozenset[str]

    def section(self) -> dict[str, Any]:
        return {
            "inferred": list(self.inferred),
            "evidence": [
                {
                    "permission": e.permission,
                    "path": path,
                    "line": e.span.line,
                    "column": e.span.column,
                    "via": e.via,
                    "kind": e.kind,
                }
                for path, e in self.evidence
            ],
        }


def analyse_permissions(plugin: PluginContext) -> PermissionAnalysis:
    """Permission evidence of a plugin (the engine computes it once per plugin:
    rules read ``plugin.facts.permissions``)."""
    facts = _security_facts(plugin)
    imports = _imports(plugin)
    runtime = {path for path in facts if path != "setup.py" and not _is_test_file(path)}
    used = _imported_modules(f for path in runtime for f in imports.get(path, ()))
    for path, fact in facts.items():
        if path not in runtime and path != "setup.py" and fact.module in used:
            runtime.add(path)  # a test helper the plugin itself imports
    evidence = sorted(
        ((path, e) for path in runtime for e in facts[path].evidence),
        key=lambda item: (item[0], item[1].span.line, item[1].span.column, item[1].permission, item[1].via),
    )
    inferred = tuple(sorted({e.permission for _, e in evidence}))
    return PermissionAnalysis(tuple(evidence), inferred, frozenset(runtime))


def declared_permissions(plugin: PluginContext) -> list[str] | None:
    """The manifest's ``permissions`` list, or None when it is absent or not a literal list."""
    located = plugin.model.fields.get("permissions")
    if located is None or located.value is NOT_STATIC or not isinstance(located.value, list):
        return None
    return [p for p in located.value if isinstance(p, str)]


def _describe(evidence: Evidence) -> str:
    kind = {"import": "import of", "call": "call of", "attribute": "use of"}.get(evidence.kind, "use of")
    return f"{kind} `{evidence.via.removeprefix('builtins.')}`"


class UndeclaredPermission(PluginRule):
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
    confidence = Confidence.HIGH
    VALID = (
        Valid("import subprocess\n\ndef run():\n    subprocess.run(['ls'], check=True)\n",
              files={"plugin.yaml": _manifest("subprocess")}),
        Valid("def greet(name):\n    return 'eval and subprocess are just words: ' + name\n",
              files={"plugin.yaml": _manifest()}),
    )
    INVALID = (
        Invalid("import subprocess as sp\n\ndef run(cmd):\n    sp.run(cmd)\n", files={"plugin.yaml": _manifest()},
                line=1),
        Invalid("import os\n\ndef home():\n    return os.environ['HOME']\n",
                files={"plugin.yaml": _manifest("network")}, line=4),
        Invalid("def save(path, text):\n    with open(path, 'w') as f:\n        f.write(text)\n",
                files={"plugin.yaml": _manifest("env")}, line=2),
    )

    def check(self, plugin: PluginContext) -> None:
        analysis = plugin.facts.permissions
        declared = declared_permissions(plugin)
        if declared is None:
            return
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
            )


class UnusedPermission(PluginRule):
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
        Valid("import socket\n\ndef host():\n    return socket.gethostname()\n",
              files={"plugin.yaml": _manifest("network")}),
    )
    INVALID = (
        Invalid(files={"__init__.py": "def greet(name):\n    return f'hello {name}'\n",
                       "plugin.yaml": _manifest("network", "env")}, path="plugin.yaml", line=10),
    )

    def check(self, plugin: PluginContext) -> None:
        analysis = plugin.facts.permissions
        declared = declared_permissions(plugin)
        if declared is None:
            return
        located = plugin.model.fields["permissions"].value
        for index, value in enumerate(located):
            if isinstance(value, str) and value in PERMISSIONS and value not in analysis.inferred:
                plugin.report(self, plugin.model.span(f"/permissions/{index}"),
                              f"permission `{value}` is declared but the code never uses it")


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
        Valid("import os\n\ndef home():\n    return os.environ['HOME']\n", files={"plugin.yaml": _manifest("env")}),
        Valid("def greet(name):\n    return name\n"),
    )
    INVALID = (
        Invalid(files={"__init__.py": "import os\n\ndef home():\n    return os.environ['HOME']\n",
                       "plugin.yaml": EXAMPLE_MANIFEST}, path="plugin.yaml", line=1),
    )

    def check(self, plugin: PluginContext) -> None:
        analysis = plugin.facts.permissions
        if plugin.model.kind is not PluginKind.PLUGIN or "permissions" in plugin.model.fields:
            return
        if not analysis.inferred:
            return
        listed = ", ".join(analysis.inferred)
        plugin.report(self, plugin.model.span(),
                      f"`permissions` is not declared; the code uses: {listed} (add `permissions: [{listed}]`)")


# --------------------------------------------------------------------------


def _module_index(plugin: PluginContext, facts: Mapping[str, SecurityFacts]) -> dict[str, str]:
    return {fact.module: path for path, fact in facts.items()}


def _discovery_reachable(plugin: PluginContext, facts: Mapping[str, SecurityFacts]) -> set[str]:
    """Files the host runs when it imports the plugin package (by import-time imports)."""
    modules = _module_index(plugin, facts)
    imports = _imports(plugin)
    if any(f.dynamic_import for f in facts.values()) or plugin.package not in modules:
        return set(facts)
    reachable: set[str] = set()
    todo = [modules[plugin.package]]
    while todo:
        path = todo.pop()
        if path in reachable:
            continue
        reachable.add(path)
        names = _imported_modules(f for f in imports.get(path, ()) if f.at_module_level)
        todo.extend(modules[name] for name in names if name in modules and modules[name] not in reachable)
    return reachable


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
        facts = _security_facts(plugin)
        if not facts:
            return
        reachable = _discovery_reachable(plugin, facts)
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
                             f"`{evidence.via.removeprefix('builtins.')}` ({evidence.permission}) runs")
        effects = self._effects(facts)
        graph: dict[str, set[str]] = {}
        for fact in facts.values():
            for summary in fact.functions:
                graph.setdefault(summary.name, set()).update(summary.calls)
        for path, fact in sorted(facts.items()):
            if path == "setup.py" or path.endswith("__main__.py"):
                continue
            for call in fact.import_time_calls:
                key = (path, call.statement_line)
                if key in reported:
                    continue
                found = self._reach(call.callee, graph, effects)
                if found is None:
                    continue
                reported.add(key)
                where, evidence = found
                short = call.callee.rsplit(".", 1)[-1]
                self._report(plugin, path, fact.module, path in reachable, call.span, call.statement_line,
                             f"`{short}()` uses {evidence.permission} "
                             f"(`{evidence.via.removeprefix('builtins.')}` at {where}:{evidence.span.line}) and runs")

    def _report(self, plugin: PluginContext, path: str, module: str, at_discovery: bool, span: Any,
                statement_line: int, what: str) -> None:
        if at_discovery:
            message = (f"{what} at import time: the host runs it while discovering the plugin, "
                       "before the user enables it")
            plugin.report(self, span, message, statement_line=statement_line)
        else:
            message = f"{what} at import time, whenever `{module}` is first imported"
            plugin.report(self, span, message, severity=Severity.WARNING, statement_line=statement_line)

    @staticmethod
    def _effects(facts: Mapping[str, SecurityFacts]) -> dict[str, tuple[str, Evidence]]:
        """Per function, the side effect that best shows what it does (``urlopen`` over ``Request``)."""
        data = tables()
        strong = {*data.calls, *data.timeout_calls, *data.shell_calls, *data.write_methods}
        out: dict[str, tuple[str, Evidence]] = {}
        for path, fact in sorted(facts.items()):
            for evidence in fact.evidence:
                if not (evidence.kind == "call" and evidence.function and evidence.permission in SIDE_EFFECT_PERMISSIONS):
                    continue
                current = out.get(evidence.function)
                if current is None or (evidence.via in strong and current[1].via not in strong):
                    out[evidence.function] = (path, evidence)
        return out

    @staticmethod
    def _reach(
        callee: str, graph: Mapping[str, set[str]], effects: Mapping[str, tuple[str, Evidence]]
    ) -> tuple[str, Evidence] | None:
        seen: set[str] = set()
        todo = [callee]
        while todo:
            name = todo.pop(0)
            for suffix in _CLASS_ENTRY:
                candidate = name + suffix
                if candidate in seen:
                    continue
                seen.add(candidate)
                if candidate in effects:
                    return effects[candidate]
                todo.extend(sorted(graph.get(candidate, ())))
        return None


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
    "PermissionAnalysis",
    "PermissionsNotDeclared",
    "UndeclaredPermission",
    "UnusedPermission",
    "analyse_permissions",
    "declared_permissions",
]
