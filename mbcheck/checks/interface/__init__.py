"""The plugin's interface: what the host and the bottle registry import and call.

``contract`` names what they look up (``get_plugin_interface``, the bottle
functions) and how; ``collect`` (with ``collect_literals``) records per module
the ``facts``; ``symbols`` resolves names across modules and computes class
MROs; ``analysis`` follows the entry point to the classes the host gets
(``plugin.facts.interface``); ``bottles`` reads bottle entry points. The rules
are in ``rules`` (the entry point), ``rules_methods`` and ``rules_bottles``;
``examples`` builds their example plugins. Nothing here but the collector
imports libcst.
"""
