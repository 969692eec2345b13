"""A plugin whose manifest is wrong in many ways."""


def get_plugin_interface():
    return None
