"""vmlint: checks deployment manifests against the tradeoffs between VMs and containers."""

__version__ = "0.1.0"
