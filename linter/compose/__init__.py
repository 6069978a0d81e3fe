"""Docker Compose projects: detection, loading (overrides, extends, include, interpolation) and validation.

``load_project`` turns one Compose file into a merged, interpolated, positioned project tree;
``vmlint.normalize.compose`` maps its services onto the workload model.
"""
