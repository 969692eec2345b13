# technique: global keyboard hook with the `keyboard` package
# class: desktop
# source: ReversingLabs, keylogger PyPI packages (keyboard.on_press hooks)
# declares:
import keyboard

buffer = []
keyboard.on_press(lambda e: buffer.append(e.name))
