"""Which of an organization's plans people work on now, and which ITA result a plan answers: each decided here once,
for the dashboard, the measure page, the LINE `สรุป` reply and the weekly digests alike."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import contains_eager, selectinload

from ..access import scoped
from ..extensions import db
from ..models import Assessment, FiscalYear, IndicatorScore, Plan
from ..thai import fiscal_year_of


class NoSuchPlan(LookupError):
    """The year asked for has no plan of the organization."""


@dataclass(frozen=True)
class PlanYear:
    plan_id: int
    fiscal_year_id: int
    year_be: int


def plan_years(organization_id: int) -> list[PlanYear]:
    """Return the organization's plans by fiscal year, newest first."""
    rows = db.session.execute(
        scoped(Plan, organization_id)
        .join(Plan.fiscal_year)
        .with_only_columns(Plan.id, Plan.fiscal_year_id, FiscalYear.year_be)
        .order_by(FiscalYear.year_be.desc())
    )
    return [PlanYear(*row) for row in rows]


def plan_of_year(organization_id: int, year_be: int) -> Plan | None:
    """Return the organization's plan of a fiscal year (BE), if it has one (one a year: unique in the schema)."""
    return db.session.scalar(scoped(Plan, organization_id).join(Plan.fiscal_year).where(FiscalYear.year_be == year_be))


def choose(plans: list[PlanYear], today: date, year: int | None = None) -> PlanYear | None:
    """Pick the plan of `year` (BE) if asked, else the plan of today's fiscal year, else the newest.

    Raises NoSuchPlan when `year` is asked for and has no plan.
    """
    by_year = {plan.year_be: plan for plan in plans}
    if year is not None:
        if year not in by_year:
            raise NoSuchPlan(year)
        return by_year[year]
    if not plans:
        return None
    return by_year.get(fiscal_year_of(today)) or plans[0]


@dataclass(frozen=True)
class YearChoice:
    """The plan a page shows and the others it can switch to."""

    chosen: PlanYear | None
    years: list[PlanYear]  # newest first
    today: date

    @property
    def is_current(self) -> bool:
        """The chosen plan is the one of today's fiscal year."""
        return self.chosen is not None and self.chosen.year_be == fiscal_year_of(self.today)

    @property
    def plan_id(self) -> int | None:
        return self.chosen.plan_id if self.chosen else None


def year_choice(organization_id: int, today: date, year: int | None = None) -> YearChoice:
    """The plan of `year` (BE) or the current one, with every year that has a plan: what a page's year switcher
    shows. Raises NoSuchPlan for a year without a plan."""
    years = plan_years(organization_id)
    return YearChoice(choose(years, today, year), years, today)


def current_plan_id(organization_id: int, today: date) -> int | None:
    """Return the id of the plan people work on today (see `choose`), or None before any plan is imported."""
    chosen = choose(plan_years(organization_id), today)
    return chosen.plan_id if chosen else None


def assessment_for(organization_id: int, plan_year_be: int) -> Assessment | None:
    """Return the ITA result a plan answers: the organization's latest assessment up to the plan's fiscal year,
    with its scores and their indicators loaded."""
    return db.session.scalar(
        scoped(Assessment, organization_id)
        .join(Assessment.fiscal_year)
        .where(FiscalYear.year_be <= plan_year_be)
        .options(contains_eager(Assessment.fiscal_year),
                 selectinload(Assessment.scores).selectinload(IndicatorScore.indicator))
        .order_by(FiscalYear.year_be.desc())
        .limit(1)
    )


def scores_by_number(assessment: Assessment | None) -> dict[int, IndicatorScore]:
    """Return an assessment's scores by indicator number (frameworks are rows per year: numbers match across them)."""
    return {score.indicator.number: score for score in assessment.scores} if assessment else {}
