# technique: vars(__builtins__).get("exec")
# class: reflection
# source: Checkmarx, write-ups on W4SP-family droppers (builtins reached through dictionaries)
# declares:


def apply(snippet):
    runner = vars(__builtins__).get("ex" + "ec")
    runner(snippet)
