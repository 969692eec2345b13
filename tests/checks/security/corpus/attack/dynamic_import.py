# ruff: noqa
"""Imports and builtin lookups through computed names."""
import builtins
import codecs
import importlib
import os


def load(name):
    return __import__(name)  # attack: MB312


def load_module(user_module):
    return importlib.import_module(user_module)  # attack: MB312


OS = __import__("o" + "s")  # attack: MB312
SYS = importlib.import_module(codecs.decode("flf", "rot13"))  # attack: MB312
SOCKET = __import__("".join(["so", "ck", "et"]))  # attack: MB312


def builtin(name, arg):
    return getattr(builtins, name)(arg)  # attack: MB312


def hidden_call(cmd):
    return getattr(os, "sys" + "tem")(cmd)  # attack: MB312


def os_attr(name):
    return getattr(os, name)  # attack: MB312


def reversed_name():
    return getattr(builtins, "lave"[::-1])  # attack: MB312


def relative_escape(name):
    return importlib.import_module("." + name, "urllib")  # attack: MB312
