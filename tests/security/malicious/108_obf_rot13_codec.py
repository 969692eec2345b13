# technique: rot13-encoded source decoded with codecs and exec'd
# class: obfuscation
# source: GuardDog "obfuscation" rule docs (rot13/codec tricks)
# declares:
import codecs

PAYLOAD = "vzcbeg bf; bf.flfgrz('jubnzv')"
exec(codecs.decode(PAYLOAD, "rot13"))
