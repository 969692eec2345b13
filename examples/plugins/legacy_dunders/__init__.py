"""A plugin that keeps its metadata in dunders (no plugin.yaml)."""

__name__ = "legacy_dunders"
__version__ = "0.3"
__description__ = "Counts words in text files."
__author__ = "Bo Example"
__email__ = "bo@example.com"
__license__ = "Apache-2.0"
__dependencies__ = []
__capabilities__ = ["word_count"]
__tags__ = ["text"]


def count_words(text: str) -> int:
    return len(text.split())
