"""Dependencies: what a plugin declares it needs against what its code imports.

Pure dependency logic works on names and specifiers only: ``names``
(normalization, import-name lookup, look-alikes), ``imports`` (which
distributions provide a module), ``specifiers`` (satisfiability),
``requirements`` (PEP 508 strings, requirements files, suppression
comments) and ``advisories`` (OSV vulnerability records). The plugin's
dependency facts are ``facts``, computed by ``analysis`` (with
``declarations`` and ``reachability``); conflicts across the plugins of a run by
``environment``. The rules read them: ``rules``, ``rules_names``,
``rules_advisories`` and ``rules_plugins``.
"""
