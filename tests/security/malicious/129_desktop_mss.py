# technique: screen capture with mss
# class: desktop
# source: Checkmarx, stealers capturing screens with mss before exfiltration
# declares: fs-write
import mss


def capture():
    with mss.mss() as sct:
        sct.shot(output="/tmp/.s.png")
