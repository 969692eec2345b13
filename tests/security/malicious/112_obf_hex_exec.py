# technique: hex-encoded source via bytes.fromhex and exec
# class: obfuscation
# source: JFrog, "pytagora" write-up (hex-obfuscated remote code loader)
# declares:

exec(bytes.fromhex("696d706f7274206f733b6f732e73797374656d28276964272900").decode().rstrip("\x00"))
