"""How mbcheck uses bandit's results: which are off by default, which an mbcheck rule supersedes.

This module imports neither bandit nor libcst: the engine reads it on every
run (the cache key and the default skip list), cached or not.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

#: bandit tests an mbcheck rule replaces: same pattern, but mbcheck resolves
#: what bandit cannot see, so bandit's version only adds false alarms:
#: B102/B307 flag `exec`/`eval` of constants (MB311 judges the input, MB313
#: catches decoded payloads); B506 flags `yaml.load` with a safe loader reached
#: through an alias or `getattr` (MB314 resolves it); B113 flags
#: `requests.get(url, **options)` whose options may carry the timeout (MB316
#: does not guess, and covers urllib, http.client, sockets and mail too);
#: B604 flags every call with a ``shell=`` keyword, whatever the function
#: (``install(shell="bash")``, ``log(..., shell=shell)``), where MB310 resolves
#: the callee and reports only the calls that start a shell. B301 flags every
#: `pickle`/`dill`/`shelve` load, also of bytes the same file pickled itself
#: (an in-process copy), where MB314 follows what the loaded bytes are.
REPLACED_BY: Mapping[str, tuple[str, ...]] = {
    "B102": ("MB311", "MB313"),
    "B307": ("MB311", "MB313"),
    "B301": ("MB314", "MB313"),
    "B506": ("MB314",),
    "B113": ("MB316",),
    "B604": ("MB310",),
}

#: bandit tests that do not run unless selected by their exact code
#: (``select = ["B101"]`` or ``extend-select = ["B101"]``): the replaced tests
#: above, and B101 (``assert`` used): plugins use ``assert`` for invariants and
#: in their tests; it becomes a security problem only when an assertion guards
#: access, which a reviewer cannot tell from the statement alone. Reported for
#: every plugin, it would be noise that teaches people to ignore the gate.
OFF_BY_DEFAULT: frozenset[str] = frozenset({"B101", *REPLACED_BY})

#: bandit test -> the mbcheck rules that report the same thing more precisely.
#: A bandit result is dropped when one of these rules reports on the same lines
#: of the same file (an mbcheck finding resolves aliases and obfuscation, and
#: says why; bandit's would only repeat it).
SUPERSEDED_BY: Mapping[str, tuple[str, ...]] = {
    "B102": ("MB311", "MB313"),  # exec_used -> dynamic / decoded code execution
    "B307": ("MB311", "MB313"),  # eval -> dynamic / decoded code execution
    "B301": ("MB314", "MB313"),  # pickle -> unsafe deserialisation / decoded payload
    "B302": ("MB314", "MB313"),  # marshal -> unsafe deserialisation / decoded payload
    "B506": ("MB314",),  # yaml_load -> unsafe deserialisation
    "B306": ("MB317",),  # mktemp_q -> insecure temporary file
    "B501": ("MB315",),  # request_with_no_cert_validation -> TLS verification disabled
    "B323": ("MB315",),  # unverified_context -> TLS verification disabled
    "B113": ("MB316",),  # request_without_timeout -> network call without timeout
    "B602": ("MB310",),  # subprocess_popen_with_shell_equals_true -> shell command
    "B604": ("MB310",),  # any_other_function_with_shell_equals_true -> shell command
    "B603": ("MB310",),  # subprocess_without_shell_equals_true -> shell command
    "B606": ("MB310",),  # start_process_with_no_shell -> shell command
    "B607": ("MB310",),  # start_process_with_partial_path -> shell command
    "B605": ("MB310",),  # start_process_with_a_shell -> shell command
    "B105": ("MB320",),  # hardcoded_password_string -> hard-coded secret
    "B106": ("MB320",),  # hardcoded_password_funcarg -> hard-coded secret
    "B107": ("MB320",),  # hardcoded_password_default -> hard-coded secret
}


def default_skip(select: tuple[str, ...] | list[str]) -> frozenset[str]:
    """The off-by-default bandit tests a selection does not name exactly."""
    named = {code.strip().upper() for code in select}
    return frozenset(code for code in OFF_BY_DEFAULT if code not in named)


@cache
def installed_version() -> str:
    """bandit's version from its distribution metadata (no import of bandit)."""
    from importlib import metadata

    try:
        return metadata.version("bandit")
    except metadata.PackageNotFoundError:
        return ""


__all__ = ["OFF_BY_DEFAULT", "REPLACED_BY", "SUPERSEDED_BY", "default_skip", "installed_version"]
