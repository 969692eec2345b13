# technique: bold-script builtins lookup (𝗴𝗲𝘁𝗮𝘁𝘁𝗿 / 𝗯𝘂𝗶𝗹𝘁𝗶𝗻𝘀)
# class: nfkc
# source: Phylum, onyxproxy (𝘀𝘁𝗿, 𝗴𝗲𝘁𝗮𝘁𝘁𝗿 written in Unicode mathematical bold)
# declares:
import builtins


def run(code):
    fn = 𝗴𝗲𝘁𝗮𝘁𝘁𝗿(𝗯𝘂𝗶𝗹𝘁𝗶𝗻𝘀, "exec")
    fn(code)
