# technique: ().__class__.__base__.__subclasses__() gadget to find a process class
# class: reflection
# source: well-known Python sandbox-escape gadget, used by PyPI droppers analysed by Phylum
# declares:


def find_popen():
    for cls in ().__class__.__base__.__subclasses__():
        if cls.__name__ == "Popen":
            return cls
    return None


def run(cmd):
    popen = find_popen()
    popen(cmd, shell=True)
