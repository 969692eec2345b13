# technique: CodeType.replace(co_code=...) to smuggle bytecode
# class: reflection
# source: ReversingLabs, "Fshec2" write-up (payloads as compiled code objects)
# declares:
import base64


def stub():
    pass


def patch(blob):
    stub.__code__ = stub.__code__.replace(co_code=base64.b64decode(blob))
    stub()
