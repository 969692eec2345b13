# technique: globals()["__builtins__"] / globals()[name] to reach exec
# class: reflection
# source: GuardDog "api-obfuscation" rule docs (globals()/locals() lookups)
# declares:


def execute(payload):
    b = globals()["__builtins__"]
    f = b["exec"] if isinstance(b, dict) else getattr(b, "exec")
    f(payload)
