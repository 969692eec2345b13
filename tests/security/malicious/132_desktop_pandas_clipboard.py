# technique: pandas.read_clipboard as a clipboard reader
# class: desktop
# source: GuardDog "clipboard-access" rule docs (pandas.read_clipboard)
# declares:
import pandas


def harvest():
    return pandas.read_clipboard().to_csv()
