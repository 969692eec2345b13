"""Security rules on the syntax tree: credentials written in the source (MB320).

Known token formats anywhere in a string literal, and random-looking values
assigned to secret-named variables, keywords, dictionary keys and defaults
(the classification itself is :mod:`mbcheck.checks.security.classify`).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import ClassVar

import libcst as cst

from mbcheck.checks.security.classify import (
    find_secret,
    is_secret_name,
    looks_random,
    may_hold_secret,
)
from mbcheck.model import Category, Confidence, Severity
from mbcheck.pyfile.literals import literal_string
from mbcheck.pyfile.traverse import FileContext, SourceRule
from mbcheck.rules.base import Invalid, Valid

#: the same literals recur across files: each text is searched once
_may_hold_secret = lru_cache(maxsize=65_536)(may_hold_secret)


class HardcodedSecret(SourceRule):
    """A credential is written in the source (a known token format, or a random-looking secret value).

    A random-looking value counts when it is assigned to a name such as `password`,
    `token`, `secret` or `api_key`. Known formats (AWS, GitHub, GitLab, Slack, Stripe, Google, PyPI, npm, private
    keys, ...) are errors; a high-entropy value of a secret-named variable, keyword
    argument, dictionary key or default value is a warning. Placeholders
    (`<token>`, `changeme`, `...EXAMPLE`) and low-entropy strings are ignored.
    Why: a published plugin publishes its secrets: anyone who installs (or
    unpacks) it can use the account the token belongs to.
    Instead: read credentials from the plugin's configuration or an environment
    variable; revoke the leaked one.
    """

    code = "MB320"
    name = "hardcoded-secret"
    category = Category.SECURITY
    severity = Severity.ERROR
    other_severities: ClassVar[Mapping[Severity, str]] = {
        Severity.WARNING: "a credential-like name is assigned a random-looking literal of no known token format",
    }
    confidence = Confidence.HIGH
    VALID = (
        Valid("import os\nTOKEN = os.environ.get('HELLO_TOKEN', '')\nPASSWORD_FIELD = 'password'\n"),
        Valid("API_KEY = '<your-api-key>'\nAWS_EXAMPLE = 'AKIAIOSFODNN7EXAMPLE'\n"),
        Valid("def login(user, password='changeme'):\n    return user, password\n"),
    )
    INVALID = (
        Invalid("GITHUB = 'ghp_" + "Zk3vQ9LmX2pR7tW4yB8nC1dF6gH0jK5sT2uV'\n", line=1),
        Invalid("class Client:\n    api_key = 'q8Vz2LmPx7RtK4wN9bYc3HdF'\n", line=2),
        Invalid("def connect(client):\n    return client.login(password='Xk9#mP2vL8qR4tZw')\n", line=2),
    )

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self._reported: set[int] = set()

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if not _may_hold_secret(node.value):
            return  # the literal as written: a token is never made of escapes
        value = literal_string(node)
        if value is not None:
            self._literal(node, value)

    def visit_FormattedStringText(self, node: cst.FormattedStringText) -> None:
        self._literal(node, node.value)

    def _literal(self, node: cst.CSTNode, value: str) -> None:
        if id(node) in self._reported:
            return
        match = find_secret(value)
        if match is None:
            return
        self._reported.add(id(node))
        self.report(node, f"hard-coded credential: {match.description}",
                    confidence=Confidence(match.confidence))

    def _named(self, name: str, value: cst.BaseExpression | None, node: cst.CSTNode) -> None:
        if value is None or not is_secret_name(name):
            return
        text = literal_string(value)
        if text is None or not looks_random(text) or find_secret(text) is not None:
            return
        self._reported.add(id(value))
        self.report(node, f"`{name}` is assigned a literal that looks like a credential",
                    severity=Severity.WARNING, confidence=Confidence.MEDIUM)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            name = self._target_name(target.target)
            if name is not None:
                self._named(name, node.value, node)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        name = self._target_name(node.target)
        if name is not None:
            self._named(name, node.value, node)

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None:
            self._named(node.keyword.value, node.value, node)

    def visit_Param(self, node: cst.Param) -> None:
        if node.default is not None:
            self._named(node.name.value, node.default, node)

    def visit_DictElement(self, node: cst.DictElement) -> None:
        key = literal_string(node.key)
        if key is not None:
            self._named(key, node.value, node)

    @staticmethod
    def _target_name(target: cst.BaseExpression) -> str | None:
        if type(target) is cst.Name:
            return target.value
        if type(target) is cst.Attribute:
            return target.attr.value
        if type(target) is cst.Subscript and len(target.slice) == 1 and type(target.slice[0].slice) is cst.Index:
            return literal_string(target.slice[0].slice.value)
        return None


__all__ = [
    "HardcodedSecret",
]
