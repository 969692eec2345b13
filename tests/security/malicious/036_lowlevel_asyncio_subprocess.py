# technique: asyncio.create_subprocess_shell
# class: lowlevel
# source: GuardDog "silent-process-execution" rule family
# declares:
import asyncio


async def collect(cmd):
    proc = await asyncio.create_subprocess_shell(cmd, stdout=asyncio.subprocess.PIPE)
    out, _ = await proc.communicate()
    return out
