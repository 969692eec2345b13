"""``mbcheck server``: the Language Server Protocol over stdio, for editors.

- :mod:`mbcheck.lsp.convert`: findings as LSP diagnostics, fixes and suppression
  comments as code actions, rule documentation as hover text (pure functions of
  a finding and a file's text; no server state);
- :mod:`mbcheck.lsp.server`: the pygls server: open documents overlaid on the
  plugin's files, debounced analysis off the event loop, diagnostics published
  for every file of the plugin.
"""
