"""``python -m vmlint``."""

from .cli import run

run()
