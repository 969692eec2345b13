"""Security analysis support: bandit's checks run in-process.

The permission and dangerous-pattern tables the security rules read live in
``rules/security/permissions.json`` (schema:
``schemas/rules-security-permissions.schema.json``); load them with
``mbcheck.resources.load_json``.
"""

from mbcheck.checks.security.bandit import BanditIssue, bandit_tests, bandit_version, run_bandit

__all__ = ["BanditIssue", "bandit_tests", "bandit_version", "run_bandit"]
