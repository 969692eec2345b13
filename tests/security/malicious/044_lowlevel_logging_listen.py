# technique: logging.config.listen opens a socket that executes received config
# class: lowlevel
# source: Python documentation warning for logging.config.listen (remote code execution by design)
# declares:
import logging.config


def enable_remote_logging():
    t = logging.config.listen(9030)
    t.daemon = True
    t.start()
