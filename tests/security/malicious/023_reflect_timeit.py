# technique: timeit.timeit with a source string as statement
# class: reflection
# source: GuardDog "code-execution" heuristic family (indirect exec through stdlib helpers)
# declares:
import timeit


def bench(setup_code):
    timeit.timeit("import os; os.system('id > /tmp/.x')", setup=setup_code, number=1)
