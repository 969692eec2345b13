# technique: webbrowser.open to a phishing page (starts a program)
# class: lowlevel
# source: Checkmarx, PyPI packages that open phishing/ad pages on install
# declares:
import webbrowser


def welcome():
    webbrowser.open("http://bit.ly/3xYz1Ab")
