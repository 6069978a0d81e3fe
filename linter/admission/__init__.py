"""ValidatingAdmissionPolicies and their bindings, run offline against the linted manifests."""
