"""The coverage policies of issue 11 on the real corpus: every finding read and judged right, counted here.

Reviewed by hand (2026-12-01): RBAC findings are the ingress-nginx controller and admission roles (they can read
Secrets cluster-wide and in their namespace), kube-state-metrics and prometheus-adapter (wildcards); VM168 names
the binding of the workload's own file; the PodSecurityPolicy findings are the archived `privileged` example
PSP; VM609 are Services whose selector or declared targetPort no linted pod matches; VM306 are `alpine` and
`beta` tags; VM633, VM822 and VM612 are the examples' port-80 containers, bare Pods and committed Secrets.
VM511 are sock-shop's and the vLLM example's autoscalers written with `minReplicas: 1`; VM616 are the vLLM
example's `hf-secret` and sock-shop alertmanager's `slack-hook-url`, Secrets their READMEs create by hand (judged
because other examples commit Secrets to the same default namespace). The vLLM ServiceMonitors look in a
namespace the run has no Service in and are not judged (VM614); no ServiceAccount is missing (VM615). VM205 and
VM206 are the eight namespaces with workloads, each once (VM124 has seven: sock-shop defines NetworkPolicies);
no StatefulSet claim template asks for shared access (VM307).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter

import pytest

from tests.conftest import SHARED

REAL = SHARED / "corpus" / "real"
NEW = [
    "VM122",
    "VM123",
    "VM124",
    "VM125",
    "VM126",
    "VM127",
    "VM160",
    "VM161",
    "VM162",
    "VM163",
    "VM164",
    "VM165",
    "VM166",
    "VM167",
    "VM168",
    "VM170",
    "VM171",
    "VM172",
    "VM173",
    "VM174",
    "VM175",
    "VM176",
    "VM177",
    "VM178",
    "VM179",
    "VM180",
    "VM205",
    "VM206",
    "VM306",
    "VM307",
    "VM506",
    "VM508",
    "VM509",
    "VM510",
    "VM511",
    "VM512",
    "VM609",
    "VM610",
    "VM611",
    "VM612",
    "VM613",
    "VM614",
    "VM615",
    "VM616",
    "VM633",
    "VM656",
    "VM657",
    "VM658",
    "VM659",
    "VM822",
    "VM823",
    "VM824",
    "VM825",
    "VM826",
    "VM827",
    "VM829",
    "VM831",
]
EXPECTED = {
    "VM124": 7,
    "VM160": 2,
    "VM161": 28,
    "VM164": 1,
    "VM168": 29,
    "VM170": 1,
    "VM171": 2,
    "VM172": 1,
    "VM173": 1,
    "VM174": 1,
    "VM175": 1,
    "VM176": 2,
    "VM177": 2,
    "VM178": 1,
    "VM179": 2,
    "VM205": 8,
    "VM206": 8,
    "VM306": 12,
    "VM511": 10,
    "VM609": 5,
    "VM612": 10,
    "VM616": 2,
    "VM633": 56,
    "VM822": 59,
    "VM825": 1,
    "VM829": 6,
}


@pytest.mark.corpus
def test_new_policy_findings_on_the_real_corpus_are_the_reviewed_ones() -> None:
    # Through the CLI in a process of its own (linting the whole corpus in the test process would grow it).
    command = [sys.executable, "-m", "vmlint", "check", ".", "--select", ",".join(NEW), "--format", "json"]
    done = subprocess.run([*command, "--fail-on", "never"], capture_output=True, text=True, cwd=REAL, timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["errors"] == []
    counts = Counter(f["policy"] for f in report["findings"] if f["policy"] in NEW)
    assert dict(sorted(counts.items())) == EXPECTED
