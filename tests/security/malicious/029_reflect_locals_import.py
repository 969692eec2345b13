# technique: __import__ reached through locals()/dict lookup with a reversed name
# class: reflection
# source: Phylum, W4SP stealer write-ups (reversed strings and __import__)
# declares:


def get(mod_name_reversed):
    imp = __builtins__["__import__"] if isinstance(__builtins__, dict) else __builtins__.__import__
    return imp(mod_name_reversed[::-1])


def main():
    get("so").system("whoami")
