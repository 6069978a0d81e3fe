#!/usr/bin/env python3
"""Time the YAML layer alone: libyaml events, libyaml compose, vmlint's trees, ruamel.yaml rt.

    python bench/parsers.py CORPUS_DIR [--repeat 3]

Reads every .yaml/.yml/.json file of CORPUS_DIR into memory first, then times each
strategy over all of them on one core (best of ``--repeat``).  ruamel.yaml is timed only
when it is importable; it is not a dependency of vmlint.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from vmlint.parsers.yaml_tree import parse_yaml

SUFFIXES = {".yaml", ".yml", ".json"}


def _texts(corpus: Path) -> list[str]:
    out = []
    for path in sorted(corpus.rglob("*")):
        if path.suffix in SUFFIXES and path.is_file():
            try:
                out.append(path.read_text(encoding="utf-8"))
            except UnicodeDecodeError:
                continue
    return out


def _guard(function: Callable[[str], object]) -> Callable[[str], object]:
    def run(text: str) -> object:
        try:
            return function(text)
        except Exception:  # broken or templated files count like the others
            return None

    return run


def _events(text: str) -> object:
    return sum(1 for _ in yaml.parse(text, Loader=yaml.CSafeLoader))


def _compose(text: str) -> object:
    return list(yaml.compose_all(text, Loader=yaml.CSafeLoader))


def _ruamel() -> Callable[[str], object] | None:
    try:
        from ruamel.yaml import YAML
    except ImportError:
        return None
    loader = YAML(typ="rt")

    def load(text: str) -> object:
        return list(loader.load_all(text))

    return load


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    texts = _texts(args.corpus)
    megabytes = sum(len(t.encode()) for t in texts) / 1e6
    strategies: dict[str, Callable[[str], object] | None] = {
        "libyaml events (yaml.parse, C)": _events,
        "libyaml compose (yaml.compose_all, C)": _compose,
        "vmlint trees (parse_yaml)": parse_yaml,
        "ruamel.yaml rt (load_all)": _ruamel(),
    }
    print(f"{len(texts)} files, {megabytes:.2f} MB")
    for name, function in strategies.items():
        if function is None:
            print(f"{name:<40} not installed")
            continue
        guarded = _guard(function)
        repeat = 1 if "ruamel" in name else args.repeat
        best = float("inf")
        for _ in range(repeat):
            start = time.perf_counter()
            for text in texts:
                guarded(text)
            best = min(best, time.perf_counter() - start)
        print(f"{name:<40} {best:7.3f} s  {megabytes / best:6.1f} MB/s")


if __name__ == "__main__":
    main()
