# technique: pyautogui screenshot
# class: desktop
# source: Phylum, W4SP stealer variants (pyautogui screenshots of the victim's desktop)
# declares: fs-write
import pyautogui


def shot():
    pyautogui.screenshot("/tmp/d.png")
