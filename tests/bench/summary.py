#!/usr/bin/env python3
"""The summary at the end of `installers/dev.sh bench`: every figure the
benchmarks recorded (tests/bench/common.record) against its target, with
the peer's figure from the same run where there is one.

Run: .venv/bin/python tests/bench/summary.py   (after the benchmarks)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench.common import FIGURES_FILE

VERDICT = {True: "met", False: "NOT MET", None: "-"}


def main() -> int:
    if not FIGURES_FILE.exists():
        print(f"No figures were recorded ({FIGURES_FILE}).")
        return 1
    rows = [json.loads(line) for line in FIGURES_FILE.read_text(encoding="utf-8").splitlines() if line.strip()]
    header = ("benchmark", "figure", "value", "peer", "target", "verdict")
    cells = [header]
    for row in rows:
        peer = "" if row["peer"] is None else f"{row['peer']:.4g} {row['unit']}"
        cells.append((row["bench"], row["figure"], f"{row['value']:.4g} {row['unit']}", peer, row["target"],
                      VERDICT[row["met"]]))
    widths = [max(len(line[i]) for line in cells) for i in range(len(header))]
    print("Benchmark figures against their targets (peer: measured in the same run)")
    for index, line in enumerate(cells):
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))
        if index == 0:
            print("  ".join("-" * width for width in widths))
    missed = sum(1 for row in rows if row["met"] is False)
    print(f"{len(rows)} figures, {missed} short of their targets.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
