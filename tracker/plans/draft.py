"""What a plan file says, before anything touches the database: the common shape every reader produces."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ..models import IndicatorSource


class PlanFileError(Exception):
    """A plan file that cannot be imported; each problem names the file, where in it, and what was expected."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def where(source: str, row: int | None = None, column: str | None = None, line: int | None = None) -> str:
    """Name a place in a file the way the person who wrote it will look for it."""
    parts = [source]
    if row is not None:
        parts.append(f"แถว {row}")
    if line is not None:
        parts.append(f"บรรทัด {line}")
    if column is not None:
        parts.append(f"คอลัมน์ “{column}”")
    return " ".join(parts)


@dataclass
class OrganizationDraft:
    name: str
    kind: str | None = None
    district: str | None = None
    province: str | None = None


@dataclass
class ScoresDraft:
    """ITA scores of the assessment year the report analyses (the year before the plan's)."""

    year_be: int
    overall: float | None = None
    tools: dict[str, float] = field(default_factory=dict)  # IIT, EIT, OIT
    indicators: dict[int, float] = field(default_factory=dict)
    indicator_names: dict[int, str] = field(default_factory=dict)
    indicator_analysis: dict[int, str] = field(default_factory=dict)


@dataclass
class MeasureDraft:
    title: str
    place: str  # where the row is in the file, for messages
    analysis: str = ""
    period_text: str = ""
    start: date | None = None
    end: date | None = None
    steps: list[str] = field(default_factory=list)
    division_names: list[str] = field(default_factory=list)  # as written in the file
    indicators: list[int] = field(default_factory=list)
    indicator_source: str = IndicatorSource.EXPLICIT.value
    indicator_note: str = ""  # why an inferred link was chosen, shown in the dry run


@dataclass
class PlanDraft:
    source: str
    fiscal_year: int | None
    measures: list[MeasureDraft]
    organization: OrganizationDraft | None = None
    scores: ScoresDraft | None = None
    warnings: list[str] = field(default_factory=list)
