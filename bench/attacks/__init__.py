"""Attacks and faults a hostile site can throw at Vigie, each measured in a process of its
own: peak memory against 300 MB and wall time against twice the fetch timeout (issue 13).

    python -m bench.attacks [NAME ...]      # every attack, or those named

An attack module (`bench/attacks/<area>.py`) lists `ATTACKS`: `Attack(name, run, timeout)`,
where `run()` drives the real code (over real HTTP from `tests/hostile_server.py` where the
attack comes over the network) and returns the outcome it observed (a refusal reason, an
exception, a count). The runner reports each attack's outcome, peak RSS, wall time and both
ratios; `bench/results.md` keeps the table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Attack", "MEMORY_LIMIT_MIB"]

MEMORY_LIMIT_MIB = 300


@dataclass(frozen=True)
class Attack:
    name: str
    run: Callable[[], str]
    timeout: float  # the fetch/parse timeout the attack must stay within twice of
