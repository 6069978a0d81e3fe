"""User rules: CEL over ``object``, ``workload``, ``objects`` and ``params``, from rule files named by config
or the command line (``schemas/policy.schema.json``), run by the engine as policies."""
