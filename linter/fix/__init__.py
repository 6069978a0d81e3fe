"""The fix stage: fixes are data on policies and findings; ``apply`` rewrites only what they name.

``model`` holds the values (``Edit``, ``Fix`` on a policy or hit; ``Target``, ``FindingFix`` on a finding),
``resolve`` turns a hit's fix into targets in the file that wrote the setting, ``edit`` computes the text
changes from libyaml positions (fragments rendered by ruamel.yaml), ``verify`` re-parses with the linting
parser, and ``run`` applies fixes in rounds, safely, to disk or to a diff.  See docs/decisions/0016.
"""

from __future__ import annotations

from .model import APPLICABILITIES, Edit, FindingFix, Fix, Target, add, remove, set_

__all__ = ["APPLICABILITIES", "Edit", "FindingFix", "Fix", "Target", "add", "remove", "set_"]
