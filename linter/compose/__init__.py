"""Docker Compose, all of it: detection, loading (overrides, extends, include, interpolation), validation, normalising.

``load_project`` turns one Compose file into a merged, interpolated, positioned project tree;
``normalize`` maps its services onto the workload model; ``load`` is the one entry the format dispatch calls.
Compose uses the shared normaliser helpers in ``vmlint.normalize``; nothing there imports Compose.
"""
