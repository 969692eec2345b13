# ruff: noqa
"""Loaders that construct arbitrary objects."""
import marshal
import pickle
import shelve
from pickle import loads as l

import dill
import yaml


def restore(path):
    with open(path, "rb") as handle:
        return pickle.load(handle)  # attack: MB314


def from_bytes(blob):
    return l(blob)  # attack: MB314


def config(text):
    return yaml.load(text)  # attack: MB314


def config_full(text):
    return yaml.load(text, Loader=yaml.Loader)  # attack: MB314


def config_unsafe(text):
    return yaml.unsafe_load(text)  # attack: MB314


def code_object(data):
    return marshal.loads(data)  # attack: MB314


def session(path):
    return shelve.open(path)  # attack: MB314


def closure(blob):
    return dill.loads(blob)  # attack: MB314
