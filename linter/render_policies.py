"""The render stage's policies (VM030-VM039), reported by the engine: charts and kustomizations not linted rendered."""

from __future__ import annotations

from .policy import Example, Policy, Severity, engine_policy


def _render(
    id: str,  # noqa: A002 - the metadata field is called id
    name: str,
    severity: Severity,
    summary: str,
    rationale: str,
    remediation: str,
    example: Example,
) -> Policy:
    return engine_policy(id, name, severity, summary, rationale, remediation, examples=(example,))


RENDER_POLICIES: tuple[Policy, ...] = (
    _render(
        "VM030",
        "chart-needs-rendering",
        "info",
        "A Helm chart directory was found; its templates are not manifests until Helm renders them.",
        "Templates with `{{ }}` are not valid YAML and `values.yaml` is not a manifest: linted as written, a chart "
        "would pass with no finding at all. The finding says so, instead of counting the files as skipped.",
        "Lint what Helm renders: `helm template CHART | vmlint check -`, or `vmlint check --render` (or "
        "`render: [helm]` in the config) with helm on PATH.",
        Example(
            "helm",
            "charts/web/Chart.yaml\ncharts/web/values.yaml\ncharts/web/templates/deployment.yaml\n",
            "helm template charts/web | vmlint check -\n",
        ),
    ),
    _render(
        "VM031",
        "render-failed",
        "error",
        "Rendering failed: `helm template` or `kustomize build` stopped with an error, reported in the tool's words.",
        "What cannot be rendered cannot be deployed or checked; the files are linted as written instead.",
        "Fix the error the tool reports (run the same command by hand to see it in full).",
        Example("kustomize", "resources:\n- deployment.yaml   # no such file\n", "resources:\n- deploy.yaml\n"),
    ),
    _render(
        "VM032",
        "remote-resource",
        "error",
        "A kustomization uses a remote base or resource (a URL or a git repository); vmlint never fetches it.",
        "No network is used, so a build that needs one is not run: what the remote base contributes is not "
        "checked, and a linted build that depended on a moving remote reference would not be reproducible anyway.",
        "Vendor the base into the repository (or a pinned submodule) and reference it by a relative path.",
        Example(
            "kustomize",
            "resources:\n- github.com/example/base//deploy?ref=main\n",
            "resources:\n- ../../vendor/example-base/deploy\n",
        ),
    ),
    _render(
        "VM033",
        "render-tool-missing",
        "warning",
        "Rendering was asked for (`--render`, `render:` in the config) but helm, kustomize or kubectl is not on PATH.",
        "A run that was told to check the rendered output must not pass quietly because the tool is missing; the "
        "chart or kustomization was linted as written (or not at all).",
        "Install the tool on the machine that runs vmlint (helm; kustomize or kubectl), or drop `--render`.",
        Example(
            "kustomize",
            "vmlint check --render deploy/   # no kubectl on PATH\n",
            "vmlint check --render deploy/   # kubectl on PATH\n",
        ),
    ),
)
