"""The input-error policies: reported by the engine itself when a file cannot be read as a manifest."""

from __future__ import annotations

from .policy import Policy, engine_policy
from .schema_policies import SCHEMA_POLICIES

INPUT_POLICIES: tuple[Policy, ...] = (
    engine_policy(
        "VM001",
        "syntax-error",
        "error",
        "The file is not valid YAML, JSON, HCL or XML.",
        "A manifest that does not parse is not deployed as written, and nothing else in it can be checked.",
        "Fix the syntax at the reported position.",
    ),
    engine_policy(
        "VM002",
        "duplicate-key",
        "error",
        "A mapping repeats a key; only one of the values takes effect.",
        "Parsers disagree on which duplicate wins: a later `privileged: true` can silently override a reviewed value.",
        "Remove one of the two entries.",
    ),
    engine_policy(
        "VM003",
        "file-too-large",
        "error",
        "The file is larger than the configured size limit and was not read.",
        "Huge files are usually generated or hostile; reading them would hold up every run.",
        "Exclude the file, or raise `max-file-size` in the configuration.",
    ),
    engine_policy(
        "VM004",
        "unsupported-tag",
        "warning",
        "A YAML tag that deployment tools do not understand (e.g. `!!python/object`).",
        "Custom tags are never constructed by vmlint; in other tools they can execute code or change types.",
        "Remove the tag.",
    ),
    engine_policy(
        "VM005",
        "unreadable-encoding",
        "error",
        "The file is binary or not valid UTF-8/UTF-16/UTF-32 text.",
        "Deployment tools would reject the file; it cannot be checked.",
        "Save the file as UTF-8 text.",
    ),
    engine_policy(
        "VM006",
        "resource-limit-exceeded",
        "error",
        "The document nests too deeply or expands aliases past the safety limit.",
        "Alias bombs and deep nesting exhaust memory or time in the tools that load them.",
        "Flatten the document and avoid aliases that multiply.",
    ),
    engine_policy(
        "VM007",
        "unreadable-path",
        "error",
        "A file or directory could not be read (permissions, symlink loop, missing).",
        "What cannot be read cannot be checked; a silent skip would hide it.",
        "Fix the permissions or the link, or exclude the path.",
    ),
    engine_policy(
        "VM008",
        "invalid-field-type",
        "error",
        "A field has the wrong type for its format (e.g. `containers: 5`).",
        "The deploying tool rejects or misreads such a field; policies that read it cannot judge it.",
        "Give the field the type the format's schema requires.",
    ),
    engine_policy(
        "VM009",
        "unused-suppression",
        "warning",
        "A suppression comment or vmlint.io/ignore names a policy that has no finding there to suppress.",
        "A stale suppression hides the next real finding at that place, and tells readers of a problem that is "
        "gone. Off unless selected (`--select VM009`), like ruff's unused-noqa.",
        "Remove the id from the comment or annotation (or the whole directive when none is left).",
        default_enabled=False,
    ),
    engine_policy(
        "VM040",
        "invalid-suppression",
        "warning",
        "A suppression names no policy (a bare `# vmlint: ignore`) or a policy that does not exist.",
        "It looks like a suppression but suppresses nothing, so the findings it was written for still fail the run, "
        "or a typo in the id leaves them unsuppressed without a word.",
        'Name the policies by id or name: `# vmlint: ignore[VM102] reason`, `vmlint.io/ignore: "VM102"`.',
    ),
)

INPUT_POLICIES += SCHEMA_POLICIES  # VM010-VM017, reported by the validate stage
