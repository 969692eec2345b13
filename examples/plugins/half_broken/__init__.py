"""The package itself is fine."""

from .helpers import shout
