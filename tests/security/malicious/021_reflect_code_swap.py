# technique: replacing a function's __code__ with a compiled payload
# class: reflection
# source: ReversingLabs, analyses of runtime code-object tampering in malicious Python packages
# declares:


def harmless():
    return None


def arm(src: str):
    harmless.__code__ = compile(src, "<x>", "exec")
    harmless()
