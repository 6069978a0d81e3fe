"""The fix stage (``--diff``/``--fix``, after suppress): rewrite only what the findings' fixes name.

The fixes themselves are data (``linter/fixes.py``).  ``resolve`` turns a hit's fix into targets in the file that
wrote the setting, ``edit`` computes the text changes from libyaml positions (fragments rendered by ruamel.yaml
in the file's own layout, ``layout``), ``verify`` re-parses with the linting parser, ``files`` guards and writes
files, and ``run`` applies fixes in rounds to disk or to a diff.  See docs/decisions/0016.
"""
