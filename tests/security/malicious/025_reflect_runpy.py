# technique: runpy.run_path on a file dropped in /tmp
# class: reflection
# source: Checkmarx, multi-stage PyPI droppers that write then run a second stage
# declares: fs-write
import runpy


def stage_two(body: bytes):
    with open("/tmp/.cache_upd.py", "wb") as fh:
        fh.write(body)
    runpy.run_path("/tmp/.cache_upd.py")
