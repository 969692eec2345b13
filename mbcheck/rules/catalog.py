"""Rule metadata as data: what reporters need to know about a rule, without its module.

Reporters (SARIF's rule descriptors, the JSON report's rule names) read
:func:`describe`, never a rule class: a fully cached run loads no rule module,
so neither libcst nor bandit. mbcheck's own rules are described by the shipped
``rules/catalog.json``, generated from the rule classes
(``python -m mbcheck.rules.catalog``; a test keeps it current). bandit's rules
depend on the installed bandit and are described from it, only when a report
holds one of their findings.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from functools import cache
from typing import Any

from mbcheck.model import Category, Confidence, Severity
from mbcheck.resources import data_file
from mbcheck.rules.base import ExternalRule, Rule

CATALOG = "rules/catalog.json"

#: the project's canonical repository (``[project.urls] Repository`` in pyproject.toml; a test
#: keeps the two equal): SARIF's ``informationUri`` and the base of every rule's page
REPOSITORY_URL = "https://github.com/mbcheck/mbcheck"
#: where ``python -m mbcheck.rules.docs`` writes the pages, as the repository serves them
RULE_DOCS_URL = f"{REPOSITORY_URL}/blob/main/docs/rules"


def help_uri(code: str) -> str:
    """The documentation page of a rule: ``docs/rules/CODE.md`` for mbcheck's rules, bandit's
    own page for bandit's tests (B codes; asks the installed bandit, so only for those)."""
    if code.startswith("B") and code[1:].isdigit():
        from bandit.core import extension_loader
        from bandit.core.docs_utils import get_url

        # get_url rewrites the blacklist entry's name in bandit's shared table: keep it as it was
        entry = extension_loader.MANAGER.blacklist_by_id.get(code)
        saved = dict(entry) if entry is not None else None
        try:
            return str(get_url(code))
        finally:
            if entry is not None and saved is not None:
                entry.clear()
                entry.update(saved)
    return f"{RULE_DOCS_URL}/{code}.md"


@dataclass(frozen=True)
class RuleInfo:
    code: str
    name: str
    category: Category
    #: the default severity
    severity: Severity
    #: every other severity the rule can emit, with when it does
    other_severities: tuple[tuple[Severity, str], ...]
    confidence: Confidence | None
    summary: str
    what: str
    why: str
    instead: str

    @property
    def highest_severity(self) -> Severity:
        return max((self.severity, *(s for s, _ in self.other_severities)), key=lambda s: s.rank)

    def to_data(self) -> dict[str, Any]:
        data = asdict(self)
        data["category"] = self.category.value
        data["severity"] = self.severity.value
        data["other_severities"] = [[s.value, why] for s, why in self.other_severities]
        data["confidence"] = self.confidence.value if self.confidence else None
        return data

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> RuleInfo:
        return cls(
            code=data["code"],
            name=data["name"],
            category=Category(data["category"]),
            severity=Severity(data["severity"]),
            other_severities=tuple((Severity(s), why) for s, why in data["other_severities"]),
            confidence=Confidence(data["confidence"]) if data["confidence"] else None,
            summary=data["summary"],
            what=data["what"],
            why=data["why"],
            instead=data["instead"],
        )


def info(rule: type[Rule]) -> RuleInfo:
    """A rule class's metadata."""
    docs = rule.docs()
    return RuleInfo(
        code=rule.code,
        name=rule.name,
        category=rule.category,
        severity=rule.severity,
        other_severities=tuple(sorted(rule.other_severities.items(), key=lambda item: -item[0].rank)),
        confidence=rule.confidence,
        summary=docs.summary,
        what=docs.what,
        why=docs.why,
        instead=docs.instead,
    )


def generate() -> dict[str, Any]:
    """The catalog of mbcheck's own rules, from the rule classes (imports every rule module)."""
    from mbcheck.rules import all_rules

    rules = [info(rule).to_data() for code, rule in all_rules().items() if not issubclass(rule, ExternalRule)]
    return {"rules": rules}


@cache
def _shipped() -> dict[str, RuleInfo]:
    node = data_file(CATALOG)
    if not node.is_file():
        return {}
    data = json.loads(node.read_text(encoding="utf-8"))
    return {entry["code"]: RuleInfo.from_data(entry) for entry in data["rules"]}


def shipped_codes() -> frozenset[str]:
    """The codes of mbcheck's own rules, from the shipped catalog (no rule module loaded)."""
    codes = frozenset(_shipped())
    if codes:
        return codes
    from mbcheck.rules import all_rules  # no catalog (a development checkout being regenerated)

    return frozenset(all_rules())


def describe(codes: Iterable[str], *, rule_modules: bool = True) -> dict[str, RuleInfo]:
    """Metadata of the given codes that are rules (unknown codes are left out).

    A code the shipped catalog does not list is looked up in bandit (B-codes)
    and, unless ``rule_modules`` is False, in the rule classes, which loads
    every rule module (and libcst). The gate passes False: a code in a report
    it judges must not make it load the parser.
    """
    shipped = _shipped()
    out: dict[str, RuleInfo] = {}
    missing: list[str] = []
    for code in codes:
        if code in shipped:
            out[code] = shipped[code]
        else:
            missing.append(code)
    bandit = [code for code in missing if code.startswith("B")]
    if bandit:
        # bandit's rules: from the installed bandit (no libcst needed)
        from mbcheck.checks.security.source_bandit import BANDIT_RULES

        out.update({code: info(BANDIT_RULES[code]) for code in bandit if code in BANDIT_RULES})
    rest = [code for code in missing if not code.startswith("B")]
    if rest and rule_modules:
        # a catalog out of date (a development checkout): from the rule classes
        from mbcheck.rules import all_rules

        rules = all_rules()
        out.update({code: info(rules[code]) for code in rest if code in rules})
    return out


def main() -> None:
    """Print the catalog (``python -m mbcheck.rules.catalog > rules/catalog.json``)."""
    sys.stdout.write(json.dumps(generate(), indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
