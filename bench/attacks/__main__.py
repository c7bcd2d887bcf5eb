"""Run the attacks, each in a fresh process; print the figures as a Markdown table."""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys
import time
from pathlib import Path

from bench.attacks import MEMORY_LIMIT_MIB, Attack

ROOT = Path(__file__).resolve().parents[2]
CHILD = """
import importlib, json, resource, sys, time
sys.path.insert(0, {tests!r})
module, name = sys.argv[1], sys.argv[2]
attack = next(a for a in importlib.import_module(module).ATTACKS if a.name == name)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
start = time.perf_counter()
try:
    outcome = attack.run()
except Exception as error:  # an attack that crashes the code under test is a finding
    outcome = f"CRASH {{type(error).__name__}}: {{error}}"[:200]
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"outcome": outcome, "seconds": seconds, "peak_mib": peak, "baseline_mib": before}}))
"""


def attacks() -> list[tuple[str, Attack]]:
    found = []
    package = Path(__file__).parent
    for info in pkgutil.iter_modules([str(package)]):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"bench.attacks.{info.name}")
        found += [(module.__name__, attack) for attack in getattr(module, "ATTACKS", [])]
    return found


def main() -> None:
    wanted = set(sys.argv[1:])
    rows = []
    for module, attack in attacks():
        if wanted and attack.name not in wanted:
            continue
        start = time.perf_counter()
        try:
            done = subprocess.run(
                [sys.executable, "-c", CHILD.format(tests=str(ROOT / "tests")), module, attack.name],
                capture_output=True,
                text=True,
                timeout=max(60.0, 10 * attack.timeout),
                cwd=ROOT,
            )
            result = json.loads(done.stdout.strip().splitlines()[-1]) if done.returncode == 0 else None
            outcome = result["outcome"] if result else f"EXIT {done.returncode}: {done.stderr[-200:]}"
        except subprocess.TimeoutExpired:
            result, outcome = None, "HUNG (killed)"
        seconds = result["seconds"] if result else time.perf_counter() - start
        peak = result["peak_mib"] if result else float("nan")
        rows.append((attack, outcome, peak, seconds))
        print(f"{attack.name}: {outcome} ({peak:.0f} MiB, {seconds:.1f} s)", file=sys.stderr, flush=True)
    print("| attack | outcome | peak MiB | / 300 MB | wall s | / 2x timeout |")
    print("|---|---|---|---|---|---|")
    for attack, outcome, peak, seconds in rows:
        print(
            f"| {attack.name} | {outcome} | {peak:.0f} | {peak / MEMORY_LIMIT_MIB:.2f} "
            f"| {seconds:.1f} | {seconds / (2 * attack.timeout):.2f} |"
        )


if __name__ == "__main__":
    main()
