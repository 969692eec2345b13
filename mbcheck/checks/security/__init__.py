"""The security theme: permissions, dangerous patterns, and bandit's checks run in-process.

Layout: ``facts.py`` (what the collector records), ``tables.py`` (the data
table, typed), ``classify.py`` (pure classification of resolved names and
values); on the syntax tree ``values.py`` (names and constant folding),
``paths.py``, ``calls.py``, the permission collector ``collect.py`` (with
``collect_scope.py``) and the source rules ``source_rules_*.py`` by family;
``analysis.py`` (the plugin-level permission analysis) and ``rules.py``
(plugin-level rules, no libcst); bandit in ``bandit*.py``. Exfiltration
(MB323): the data flow ``taint.py`` (table ``rules/security/exfiltration.json``),
run by the collector ``collect_exfil.py`` into ``facts_exfil.py`` facts that
``rules_exfil.py`` reports and follows across modules.

The permission and dangerous-pattern tables the security rules read live in
``rules/security/permissions.json`` (schema:
``schemas/rules-security-permissions.schema.json``); load them with
``mbcheck.resources.load_json``.
"""
