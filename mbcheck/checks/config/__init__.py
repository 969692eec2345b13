"""The plugin's configuration: the literal schema ``get_config_schema()`` returns
(``schema``) and the shipped default configuration (``defaults``), checked by
the rules in ``rules``. No libcst."""
