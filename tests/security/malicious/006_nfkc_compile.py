# technique: compile + exec via sans-serif identifiers
# class: nfkc
# source: GuardDog "unicode" rule documentation (non-ASCII identifiers that NFKC-fold to ASCII)
# declares:


def render(template: str) -> object:
    code = 𝖼𝗈𝗆𝗉𝗂𝗅𝖾(template, "<tpl>", "exec")
    namespace: dict = {}
    𝖾𝗑𝖾𝖼(code, namespace)
    return namespace.get("result")
