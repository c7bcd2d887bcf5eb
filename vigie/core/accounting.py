"""Run accounting: every stage counts what it accepted, skipped and refused, with a reason per item.

A `RunSummary` is a plain pydantic record so a DAG task can pass it through XCom and
`vigie run` can print it as a table.
"""

from __future__ import annotations

from collections import Counter
from typing import Literal

from pydantic import BaseModel, Field

Outcome = Literal["accepted", "skipped", "refused"]


class ItemOutcome(BaseModel):
    stage: str
    outcome: Outcome
    item: str  # URL, article id or feed name
    reason: str


class StageStats(BaseModel):
    accepted: int = 0
    skipped: int = 0
    refused: int = 0
    reasons: dict[str, int] = Field(default_factory=dict)  # "refused:ssrf" -> 1


class RunSummary(BaseModel):
    stages: dict[str, StageStats] = Field(default_factory=dict)
    failures: list[ItemOutcome] = Field(default_factory=list)  # refused items with their reason
    metrics: dict[str, int] = Field(default_factory=dict)  # free counters: "events:Air/drone strike" -> 3
    # Time spent in each stage (s). Enrichment in worker processes counts the workers' busy time.
    seconds: dict[str, float] = Field(default_factory=dict)

    def record(self, stage: str, outcome: Outcome, item: str, reason: str = "") -> None:
        stats = self.stages.setdefault(stage, StageStats())
        setattr(stats, outcome, getattr(stats, outcome) + 1)
        if reason:
            key = f"{outcome}:{reason.split(':', 1)[0]}"
            stats.reasons[key] = stats.reasons.get(key, 0) + 1
        if outcome == "refused":
            self.failures.append(ItemOutcome(stage=stage, outcome=outcome, item=item, reason=reason))

    def count(self, metric: str, n: int = 1) -> None:
        self.metrics[metric] = self.metrics.get(metric, 0) + n

    def add_seconds(self, stage: str, seconds: float) -> None:
        self.seconds[stage] = self.seconds.get(stage, 0.0) + seconds

    def merge(self, other: RunSummary) -> RunSummary:
        for name, stats in other.stages.items():
            mine = self.stages.setdefault(name, StageStats())
            mine.accepted += stats.accepted
            mine.skipped += stats.skipped
            mine.refused += stats.refused
            mine.reasons = dict(Counter(mine.reasons) + Counter(stats.reasons))
        self.failures.extend(other.failures)
        self.metrics = dict(Counter(self.metrics) + Counter(other.metrics))
        for stage, seconds in other.seconds.items():
            self.add_seconds(stage, seconds)
        return self

    def get(self, stage: str, outcome: Outcome = "accepted") -> int:
        stats = self.stages.get(stage)
        return getattr(stats, outcome) if stats else 0
