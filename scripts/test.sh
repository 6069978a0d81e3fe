#!/usr/bin/env bash
# Set up a virtual environment and run every check: ruff, mypy --strict, the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e '.[dev]'
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy linter
.venv/bin/vmlint check examples/ >/dev/null || test $? -eq 1
.venv/bin/python -m pytest "$@"
