"""The security data table (``rules/security/permissions.json``), typed and indexed.

Everything the security rules know about names lives in the table; this module
only turns it into frozen lookups (loaded once per process) and answers "which
permission does this fully qualified name show?" by the table's own rules:
an exact entry of ``calls`` wins, then the longest dotted prefix found in
``calls`` or ``modules``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from mbcheck.resources import load_json

TABLE = "rules/security/permissions.json"

#: the permission vocabulary of the plugin contract, in report order
#: the permission vocabulary, in report order (``rules/permissions.json``: its one home)
PERMISSIONS: tuple[str, ...] = tuple(load_json("rules/permissions.json")["permissions"])

#: permissions whose use while a module is being imported is a side effect
SIDE_EFFECT_PERMISSIONS = frozenset({"network", "subprocess", "fs-write", "dynamic-code"})

#: modules whose ``load``-like functions deserialise arbitrary objects
_DESERIALISER_MODULES = ("pickle", "_pickle", "cPickle", "dill", "cloudpickle", "joblib", "jsonpickle",
                         "marshal", "shelve", "pandas", "yaml")


@dataclass(frozen=True, slots=True)
class Condition:
    """When a call listed in ``calls`` shows its permission (see the schema)."""

    kind: str
    position: int | None
    keyword: str
    safe_values: frozenset[str] = frozenset()
    when_missing: bool = True


@dataclass(frozen=True, slots=True)
class ModeCall:
    """A call that writes only in some modes (``open(p, "w")``) or with some flags (``os.open``)."""

    permission: str
    position: int | None
    keyword: str
    default_mode: str | None = None
    write_chars: frozenset[str] = frozenset()
    write_flags: frozenset[str] = frozenset()

    @property
    def uses_flags(self) -> bool:
        return bool(self.write_flags)


@dataclass(frozen=True, slots=True)
class TimeoutCall:
    keyword: str
    position: int | None
    default_seconds: float | None


@dataclass(frozen=True, slots=True)
class TlsPattern:
    kind: str
    description: str
    keyword: str = ""
    attribute: str = ""
    name: str = ""
    value: bool | str | None = None
    requires_import: str = ""


@dataclass(frozen=True, slots=True)
class SecretPattern:
    id: str
    description: str
    keywords: tuple[str, ...]
    regex: str
    confidence: str


@dataclass(frozen=True, slots=True)
class SecurityTables:
    modules: Mapping[str, str]
    calls: Mapping[str, str]
    conditions: Mapping[str, Condition]
    path_methods: Mapping[str, tuple[str, bool]]
    open_write_modes: frozenset[str]
    write_methods: Mapping[str, ModeCall]
    shell_calls: Mapping[str, str]
    timeout_calls: Mapping[str, TimeoutCall]
    tls_patterns: tuple[TlsPattern, ...]
    decoders: Mapping[str, str]
    system_prefixes: tuple[str, ...]
    home_files: tuple[str, ...]
    secrets: tuple[SecretPattern, ...]
    #: calls of ``calls`` that deserialise objects (pickle.loads, yaml.load, ...)
    deserialisers: frozenset[str]
    #: top-level names of every module the table mentions (os, subprocess, ...)
    sensitive_modules: frozenset[str]
    #: modules whose import or use shows ``network``
    network_modules: frozenset[str]
    #: modules that are another under a second name (``posix`` -> ``os``)
    module_aliases: Mapping[str, str] = dataclasses.field(default_factory=dict)
    #: for a ``network`` module that also holds offline helpers, the names under it that connect
    network_entry_points: Mapping[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)

    def canonical(self, name: str) -> str:
        """``name`` with an aliased first part replaced (``posix.system`` is ``os.system``)."""
        top, dot, rest = name.partition(".")
        target = self.module_aliases.get(top)
        return name if target is None else target + dot + rest

    def permission_of(self, name: str) -> tuple[str, str] | None:
        """``(permission, matched table key)`` for a qualified name, or None.

        An exact ``calls`` entry wins; otherwise the longest dotted prefix that
        is a key of ``calls`` (``os.environ.get`` is ``os.environ``) or of
        ``modules`` (``urllib.request.urlopen`` is ``urllib.request``).
        """
        found = self.calls.get(name)
        if found is not None:
            return found, name
        probe = name
        while "." in probe:
            probe = probe.rsplit(".", 1)[0]
            found = self.calls.get(probe)
            if found is not None:
                return found, probe
            found = self.modules.get(probe)
            if found is not None:
                return None if self._offline_helper(name, probe) else (found, probe)
        found = self.modules.get(name)
        return (found, name) if found is not None else None


    def _offline_helper(self, name: str, module: str) -> bool:
        """Whether ``name`` under the ``network`` module ``module`` is one of its helpers that
        open no connection (``urllib3.util.make_headers``): the module lists the names that
        connect, and ``name`` is none of them."""
        entries = self.network_entry_points.get(module)
        if entries is None:
            return False
        rest = name[len(module) + 1:]
        return not any(rest == entry or rest.startswith(entry + ".") for entry in entries)


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) else None


def _owner(name: str) -> str:
    """The top-level module a listed name makes sensitive to computed lookups.

    ``os.system`` and ``pathlib.Path.chmod`` make ``os`` and ``pathlib`` sensitive;
    a name in a submodule (``logging.config.listen``: a lower-case second part)
    makes only that submodule so, not its package (``getattr(logging, level)``).
    """
    parts = name.split(".", 2)
    if len(parts) == 3 and parts[1][:1].islower():
        return f"{parts[0]}.{parts[1]}"
    return parts[0]


def build_tables(data: Mapping[str, Any]) -> SecurityTables:
    """Index a table document (already valid against its schema)."""
    conditions = {
        name: Condition(
            kind=entry["kind"],
            position=_int_or_none(entry.get("position")),
            keyword=entry["keyword"],
            safe_values=frozenset(entry.get("safe_values", ())),
            when_missing=bool(entry.get("when_missing", True)),
        )
        for name, entry in data["conditions"].items()
    }
    default_chars = frozenset(data["open_write_modes"])
    write_methods: dict[str, ModeCall] = {}
    for name, entry in data["write_methods"].items():
        if "flags_keyword" in entry:
            write_methods[name] = ModeCall(
                permission=entry["permission"],
                position=_int_or_none(entry.get("flags_position")),
                keyword=entry["flags_keyword"],
                write_flags=frozenset(entry["write_flags"]),
            )
        else:
            write_methods[name] = ModeCall(
                permission=entry["permission"],
                position=_int_or_none(entry.get("mode_position")),
                keyword=entry["mode_keyword"],
                default_mode=entry.get("default_mode"),
                write_chars=frozenset(entry.get("write_mode_chars", default_chars)),
            )
    dangerous = data["dangerous"]
    tls = tuple(
        TlsPattern(
            kind=entry["kind"],
            description=entry["description"],
            keyword=entry.get("keyword", ""),
            attribute=entry.get("attribute", ""),
            name=entry.get("name", ""),
            value=entry.get("value"),
            requires_import=entry.get("requires_import", ""),
        )
        for entry in dangerous["tls_verify_disabling"]
    )
    secrets = tuple(
        SecretPattern(e["id"], e["description"], tuple(e["keywords"]), e["regex"], e["confidence"])
        for e in dangerous["secrets"]
    )
    calls: dict[str, str] = dict(data["calls"])
    modules: dict[str, str] = dict(data["modules"])
    deserialisers = frozenset(
        name
        for name, permission in calls.items()
        if permission == "dynamic-code" and name.split(".", 1)[0] in _DESERIALISER_MODULES
    )
    mentioned = [*calls, *modules, *write_methods, *dangerous["shell_calls"], *dangerous["decoders"]]
    sensitive = frozenset(_owner(name) for name in mentioned) - {"builtins"}
    return SecurityTables(
        modules=modules,
        calls=calls,
        conditions=conditions,
        path_methods={k: (v["permission"], bool(v["unambiguous"])) for k, v in data["path_methods"].items()},
        open_write_modes=default_chars,
        write_methods=write_methods,
        shell_calls={k: v["shell"] for k, v in dangerous["shell_calls"].items()},
        timeout_calls={
            k: TimeoutCall(v["keyword"], _int_or_none(v.get("position")), v.get("default_seconds"))
            for k, v in dangerous["timeout_calls"].items()
        },
        tls_patterns=tls,
        decoders=dict(dangerous["decoders"]),
        system_prefixes=tuple(dangerous["sensitive_paths"]["system_prefixes"]),
        home_files=tuple(dangerous["sensitive_paths"]["home_files"]),
        secrets=secrets,
        deserialisers=deserialisers,
        sensitive_modules=sensitive,
        network_modules=frozenset(name for name, permission in modules.items() if permission == "network"),
        module_aliases=dict(data.get("module_aliases", {})),
        network_entry_points={k: tuple(v) for k, v in data.get("network_entry_points", {}).items()},
    )


@cache
def tables() -> SecurityTables:
    """The shipped table, indexed once per process."""
    return build_tables(load_json(TABLE))


__all__ = [
    "PERMISSIONS",
    "SIDE_EFFECT_PERMISSIONS",
    "Condition",
    "ModeCall",
    "SecretPattern",
    "SecurityTables",
    "TimeoutCall",
    "TlsPattern",
    "build_tables",
    "tables",
]
