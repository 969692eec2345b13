# ruff: noqa
"""Shell execution with commands built from data, through aliases and obfuscation."""
import asyncio
import os
import subprocess as sp
from os import popen
from os import system as run_it


def clean(target):
    run_it("rm -rf " + target)  # attack: MB310


def search(pattern, path):
    return sp.check_output("grep -r %s %s" % (pattern, path), shell=True)  # attack: MB310


def show(name):
    return popen(f"cat {name}").read()  # attack: MB310


def spawn(cmd):
    sp.Popen(cmd, shell=True)  # attack: MB310


def hidden(cmd):
    getattr(__import__("o" + "s"), "sys" + "tem")(cmd)  # attack: MB310


async def later(cmd):
    await asyncio.create_subprocess_shell(cmd)  # attack: MB310


def via_alias(cmd):
    runner = sp.run
    runner(cmd, shell=True)  # attack: MB310


def explicit_shell(script):
    sp.run(["/bin/sh", "-c", script], check=True)  # attack: MB310


async def explicit_async(script):
    await asyncio.create_subprocess_exec("bash", "-c", script)  # attack: MB310
