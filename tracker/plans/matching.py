"""Match what a plan writes to what the organization has: division names, and the ITA indicator a measure answers.

Pure functions over plain values, so both are tested without a database. The common division names and how a name
is compared are the divisions' own (tracker.divisions: CATALOGUE, division_key); matching uses them.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

from ..divisions import catalogue_entry, division_key


@dataclass
class KnownDivision:
    """What matching needs of an existing division."""

    id: int
    name: str
    short_name: str | None = None
    aliases: list[str] = field(default_factory=list)

    def keys(self) -> set[str]:
        keys = {division_key(n) for n in (self.name, self.short_name or "", *self.aliases) if n}
        spec = catalogue_entry(self.name)
        if spec:
            keys |= {division_key(n) for n in (spec.name, *spec.aliases)}
        return keys


def match_division(name: str, known: list[KnownDivision]) -> KnownDivision | None:
    """Find the organization's division a plan's name means, by normalised name, alias or common spelling."""
    key = division_key(name)
    for division in known:
        if key in division.keys():
            return division
    spec = catalogue_entry(name)
    if spec:
        spellings = {division_key(n) for n in (spec.name, *spec.aliases)}
        for division in known:
            if division.keys() & spellings:
                return division
    return None


# --- indicators -----------------------------------------------------------------------------------------------


def _trigrams(text: str) -> Counter[str]:
    # Thai is written without spaces between words, so character trigrams stand in for words.
    compact = re.sub(r"[\s\d.,()\-–/\"“”]+", "", text or "")
    return Counter(compact[i : i + 3] for i in range(len(compact) - 2))


@dataclass
class IndicatorGuess:
    numbers: list[int]
    note: str


def infer_indicator(text: str, documents: dict[int, str]) -> IndicatorGuess:
    """Guess the indicator a measure answers by comparing its text with each indicator's name and analysis.

    TF-IDF over character trigrams, cosine similarity: phrases every indicator's paragraph shares (the agency's
    name, "ผู้รับบริการหรือผู้มาติดต่อราชการ") weigh little, the complaint that is particular to one weighs most.
    The note gives the runner-up, so a person confirming the dry run sees how sure the guess is.
    """
    grams = {number: _trigrams(doc) for number, doc in documents.items() if doc}
    query = _trigrams(text)
    if not grams or not query:
        return IndicatorGuess([], "ไม่มีข้อความให้เทียบ — โปรดระบุตัวชี้วัด")
    document_frequency: Counter[str] = Counter()
    for counts in grams.values():
        document_frequency.update(counts.keys())
    total = len(grams)

    def vector(counts: Counter[str]) -> dict[str, float]:
        return {g: c * math.log((1 + total) / (1 + document_frequency[g])) for g, c in counts.items()}

    query_vector = vector(query)
    query_norm = math.sqrt(sum(v * v for v in query_vector.values())) or 1.0
    similarity: dict[int, float] = {}
    for number, counts in grams.items():
        doc_vector = vector(counts)
        norm = math.sqrt(sum(v * v for v in doc_vector.values())) or 1.0
        dot = sum(weight * doc_vector.get(g, 0.0) for g, weight in query_vector.items())
        similarity[number] = dot / (norm * query_norm)
    ranked = sorted(similarity, key=lambda n: similarity[n], reverse=True)
    best = ranked[0]
    if similarity[best] < 0.05:
        return IndicatorGuess([], "ไม่พบตัวชี้วัดที่ตรงกับข้อความ — โปรดระบุตัวชี้วัด")
    runner_up = ranked[1] if len(ranked) > 1 else None
    note = f"อนุมานจากผลการวิเคราะห์: ตัวชี้วัดที่ {best} (ความคล้าย {similarity[best]:.2f}"
    if runner_up is not None:
        note += f"; รองลงมา ตัวชี้วัดที่ {runner_up} {similarity[runner_up]:.2f}"
        if similarity[runner_up] > 0.8 * similarity[best]:
            note += "; ใกล้เคียงกัน โปรดตรวจสอบ"
    return IndicatorGuess([best], note + ")")
