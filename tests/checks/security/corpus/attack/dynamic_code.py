# ruff: noqa
"""eval/exec/compile on data, directly and through aliases."""
import builtins

ev = eval


def calc(expression):
    return eval(expression)  # attack: MB311


def run(source):
    exec(source, {})  # attack: MB311


def aliased(source):
    return ev(source)  # attack: MB311


def through_getattr(source):
    getattr(builtins, "exec")(source)  # attack: MB311


def through_dict(expr):
    return __builtins__["eval"](expr)  # attack: MB311


def compiled(src):
    code = compile(src, "<plugin>", "exec")  # attack: MB311
    return code


def from_file(path):
    with open(path) as handle:
        exec(handle.read())  # attack: MB311
