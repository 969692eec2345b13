# technique: eval written in mathematical italic letters
# class: nfkc
# source: Phylum, "onyxproxy" write-up (mixed Unicode styles such as 𝘀𝘁𝗿 and 𝘦𝘷𝘢𝘭 in one file)
# declares:


def load_settings(blob: str):
    return 𝑒𝑣𝑎𝑙(blob)
