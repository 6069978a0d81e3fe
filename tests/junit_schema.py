"""JUnit XML validated against tests/schemas/junit.xsd, in a child process.

xmlschema costs about 25 MB; loaded into the test process it would stay there, and a forked child's peak RSS starts
from its parent's, which the hostile-input tests' memory bounds would then count.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

JUNIT_XSD = Path(__file__).parent / "schemas" / "junit.xsd"
_VALIDATE = """
import json, sys
import xmlschema
schema = xmlschema.XMLSchema(sys.argv[1])
print(json.dumps([[str(e.reason) for e in schema.iter_errors(doc)] for doc in json.load(sys.stdin)]))
"""


def junit_errors(*documents: str) -> list[list[str]]:
    """For each JUnit document, the schema's complaints (empty lists when valid)."""
    done = subprocess.run(
        [sys.executable, "-c", _VALIDATE, str(JUNIT_XSD)],
        input=json.dumps(documents),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    result: list[list[str]] = json.loads(done.stdout)
    return result
