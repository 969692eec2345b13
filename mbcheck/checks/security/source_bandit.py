"""Rule metadata for every bandit test, so bandit's codes are mbcheck rules like any other.

bandit's findings come from the per-file hook in ``mbcheck.checks.security.bandit_hook``;
this module only describes them: one :class:`~mbcheck.rules.base.ExternalRule`
per test bandit has installed (``B101`` ... ``B704``), created when the module is
imported (which imports bandit), documented with bandit's own description. So
``mbcheck rules``, ``mbcheck explain B602``, the JSON report's rule names and
SARIF rule metadata cover them, and ``select``/``ignore``/``severity`` accept
their codes.

Defaults: every bandit test runs, except those in
:data:`mbcheck.checks.security.bandit_policy.OFF_BY_DEFAULT` (``B101``, and the
tests an mbcheck rule replaces: ``B102``, ``B307``, ``B506``, ``B113``), which
run only when selected by their exact code. A bandit result is dropped when an
mbcheck rule of :data:`~mbcheck.checks.security.bandit_policy.SUPERSEDED_BY` reports
the same lines.
"""

from __future__ import annotations

from mbcheck.checks.security.bandit_policy import OFF_BY_DEFAULT, REPLACED_BY, SUPERSEDED_BY
from mbcheck.model import Category, Severity
from mbcheck.rules.base import ExternalRule
from mbcheck.rules.catalog import help_uri

_WHY = (
    "bandit reports this pattern because it is a common source of security problems in Python code (the "
    "description above says which). A plugin runs with the user's rights inside the host's process, so the "
    "risk is the host's and every user's who installs the plugin. Each finding keeps bandit's severity and "
    "confidence; the default severity listed for the rule is bandit's for blacklist tests (B3xx, B4xx) and "
    "`warning` for the others, whose severity bandit decides per finding."
)
_INSTEAD = (
    "follow the advice on bandit's page for this test ({url}). If the "
    "use is deliberate and safe, say why in a comment and mark the line with `# nosec {code}` or "
    "`# mbcheck: ignore[{code}]`, or turn the test off with `ignore = [\"{code}\"]`."
)


def _docstring(code: str, name: str, description: str) -> str:
    summary = f"bandit {code} ({name}): {name.replace('_', ' ')}."
    notes = [description.strip() or f"bandit's `{name}` test."]
    superseding = SUPERSEDED_BY.get(code)
    if superseding:
        notes.append(
            f"Not reported where {' or '.join(superseding)} already reports the same lines (mbcheck's rule "
            "follows aliases and obfuscation and explains more)."
        )
    replaced = REPLACED_BY.get(code)
    if replaced:
        notes.append(
            f"Off by default: {' and '.join(replaced)} check the same pattern and resolve what bandit cannot "
            "see (aliases, `getattr`, constants, `**kwargs`), so bandit's version only adds false alarms. "
            f"Select it by its exact code to run it anyway (`extend-select = [\"{code}\"]`)."
        )
    elif code in OFF_BY_DEFAULT:
        notes.append(
            f"Off by default: runs only when selected by its exact code (`extend-select = [\"{code}\"]`). "
            "Plugins use `assert` for invariants and in tests; flagged everywhere, it would be noise that "
            "teaches people to ignore the gate."
        )
    return "\n\n".join(
        [summary, *notes, f"Why: {_WHY}", f"Instead: {_INSTEAD.format(code=code, url=help_uri(code))}"]
    )


def _rule_classes() -> list[type[ExternalRule]]:
    try:
        from mbcheck.checks.security.bandit import bandit_blacklist_severities, bandit_tests
    except ImportError:  # pragma: no cover - bandit is a dependency
        return []
    levels = bandit_blacklist_severities()
    classes: list[type[ExternalRule]] = []
    for code, name, description in bandit_tests():
        if not code.startswith("B") or not code[1:].isdigit() or len(code) != 4:
            continue
        attributes = {
            "__doc__": _docstring(code, name, description),
            "__module__": __name__,
            "__qualname__": f"Bandit{code}",
            "code": code,
            "name": name.replace("_", "-"),
            "category": Category.SECURITY,
            "severity": Severity(levels.get(code, Severity.WARNING.value)),
            # bandit rates each finding of a test that is not a blacklist test
            "other_severities": {} if code in levels else {
                Severity.ERROR: "bandit rates the finding's severity high",
                Severity.INFO: "bandit rates the finding's severity low",
            },
            "confidence": None,
            "enabled_by_default": code not in OFF_BY_DEFAULT,
            "bandit_name": name,
        }
        classes.append(type(f"Bandit{code}", (ExternalRule,), attributes))
    return classes


#: the bandit rules, by code
BANDIT_RULES: dict[str, type[ExternalRule]] = {cls.code: cls for cls in _rule_classes()}

__all__ = ["BANDIT_RULES"]
