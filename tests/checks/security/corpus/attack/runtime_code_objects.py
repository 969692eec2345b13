# ruff: noqa
# permissions: dynamic-code
"""Code objects built or swapped at run time, and code run through timeit and the code module.

Technique: sandbox-escape gadgets (`().__class__.__base__.__subclasses__()`), bytecode
replacement (`__code__`, `CodeType.replace(co_code=...)`), as in the "pyjail" write-ups and
the 2022 "W4SP stealer" packages that loaded code through importlib loaders.
"""
import code
import importlib.util
import timeit


def escape():
    return ().__class__.__base__.__subclasses__()  # attack: MB362


def swap(f, blob):
    f.__code__ = f.__code__.replace(co_code=blob)  # attack: MB362


def run_string(s):
    timeit.timeit("__import__('o'+'s').system('" + s + "')", number=1)  # attack: MB362
    code.InteractiveInterpreter().runsource(s)  # attack: MB362


def load(path):
    spec = importlib.util.spec_from_file_location("stage2", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # attack: MB362
