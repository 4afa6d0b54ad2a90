"""Remove the spaces that PDF text extraction puts inside Thai words ("หน่วย งาน" -> "หน่วยงาน"), keeping real ones.

Thai is written without spaces between words; a space separates phrases and sentences. A PDF's text layer, though,
often has a space inside a word: where a table cell's line wrapped, or where the writer placed runs of glyphs apart.
Such a space is told from a real one with a dictionary, by reading the Thai around it as dictionary words:

- A stretch of Thai runs with spaces between them is read as the fewest words, a letter no word explains counting as
  a word of its own (maximal matching). A word may run across a space: the reading then removes that space.
- A space is removed only when such a reading has strictly fewer words than every reading that keeps the space; on a
  tie it stays. So "จัดทำแผน ประชาสัมพันธ์" keeps its space (two words with it or without, as "แผนประชาสัมพันธ์" is
  no word), "เทศบาลตำบล บางกระบือ" too (as many words either way), while "หน่วย งาน" and "ประชา สัมพันธ์" are one
  word each without it, and "ทุจ ริต" one word instead of letters no word explains. A tie keeps a space the
  dictionary cannot decide on: "ดำเนิน การตาม" stays, as "การตาม" is a word too.
- "การ" and "ความ" make a noun of the word after them and are written joined to it, so "การ" or "ความ", a space and
  a dictionary word count as one word: "การ ดำเนิน การ" -> "การดำเนินการ", "ความ โปร่งใส" -> "ความโปร่งใส". A
  reading of dictionary words alone wins a tie with one that counts so, and a word that ends in those letters keeps
  its space ("โครงการ ส่งเสริม": "โครง การส่งเสริม" is no fewer words).
- A space that spelling rules out as a word boundary goes whatever the dictionary says: before a vowel or tone mark
  written after the letter it follows ("ประเม ิน"), or after a vowel written before its consonant ("เ ปิด").
- Letters before a full stop stand for a word ("พ.ศ.", "ต.ค."): the space before them stays.

Only spaces between two Thai letters are looked at: Latin text, digits (Thai ones too), ๆ, ฯ, the spaces beside them,
line breaks and tabs (which part a table's cells in the text read_report reads) are left as they are.

The dictionary is PyThaiNLP's word list (`pythainlp.corpus.thai_words()`, about 62,000 words, shipped in its wheel)
with a few words of the ITA plans' own that it lacks (PLAN_WORDS). PyThaiNLP rather than a hand-kept list alone: it
needs no other package (its models are optional extras, not installed), imports in about 0.1 s and loads the list in
about 0.02 s (measured with 5.4.0), while a hand-kept list would miss the everyday words around the plan's own terms
and a missing word is a space left inside it. Its wheel is large (22 MB, 67 MB installed, mostly corpora this never
reads), which a server install can afford.

Bounded: a word is looked for at most MAX_WORD letters long, and only the spaces a word runs across are read further,
each within WINDOW letters either side, so the work grows with the text's length only. The dictionary is loaded once,
on first use; readings of the same letters are kept (a report repeats its headers and indicator names).
"""
from __future__ import annotations

import os
import re
from bisect import bisect_left
from functools import cache, lru_cache

MAX_WORD = 20  # longer dictionary words (a few long compounds) are never looked for across a space
WINDOW = 12  # letters either side of a space that its reading is worked out on

# Words of ITA plans and reports (indicators, divisions, the people the plan is about) that PyThaiNLP's list lacks.
PLAN_WORDS = frozenset(
    {
        "ผู้รับบริการ",
        "ผู้มาติดต่อราชการ",
        "ผู้มีส่วนได้ส่วนเสีย",
        "ข้อร้องเรียน",
        "ความโปร่งใส",
        "ตัวชี้วัด",
        "ผลประโยชน์ทับซ้อน",
        "จัดซื้อจัดจ้าง",
        "เปิดเผยข้อมูล",
        "สำนักปลัด",
        "กองคลัง",
        "กองช่าง",
        "กองการศึกษา",
        "กองสาธารณสุข",
        "กองสวัสดิการสังคม",
        "กองยุทธศาสตร์และงบประมาณ",
        "ผู้นำชุมชน",
    }
)
NOUN_PREFIXES = ("การ", "ความ")

_LETTERS = "\u0e01-\u0e2e\u0e30-\u0e3a\u0e40-\u0e45\u0e47-\u0e4e"  # Thai letters, vowels, marks: not ฯ ๆ ฿ or digits
# Thai runs with spaces between them, from a run's first letter, possessive: each letter is looked at once or twice.
_CHAIN = re.compile(f"(?<![{_LETTERS}])[{_LETTERS}]++(?: ++[{_LETTERS}]++)++")
_SPACES = re.compile(" +")
_LEADING_VOWELS = "เแโใไ"  # written before the consonant they are sounded after: never a word's last letter
_FOLLOWING = "\u0e30-\u0e3a\u0e45\u0e47-\u0e4e"  # vowels and marks written after their letter: never a word's first
_NOT_FIRST = frozenset(re.findall(f"[{_FOLLOWING}]", "".join(map(chr, range(0x0E00, 0x0E80)))))


@cache
def _dictionary() -> tuple[frozenset[str], tuple[str, ...]]:
    """The words, as a set and sorted (to look up the words that start with some letters)."""
    # PyThaiNLP makes a data folder in the home directory on import unless in read-only mode: this only reads the
    # word list in its wheel, and a server's user may have no home it can write to.
    os.environ.setdefault("PYTHAINLP_READ_ONLY", "1")
    from pythainlp.corpus import thai_words

    words = frozenset(thai_words()) | PLAN_WORDS
    return words, tuple(sorted(words))


def join_split_words(text: str) -> str:
    """The text with the spaces inside Thai words removed, as the module's docstring tells; all else as it was."""
    if not _CHAIN.search(text):
        return text
    return _CHAIN.sub(lambda match: _join_chain(match.group(), text.startswith(".", match.end())), text)


def _join_chain(chain: str, abbreviated: bool) -> str:
    if abbreviated:  # the last letters stand for a word ("พ.ศ.", "ต.ค."): never part of the word before them
        last = _SPACES.split(chain)[-1]
        head = chain[: len(chain) - len(last)].rstrip(" ")
        return (_join_chain(head, False) if " " in head else head) + chain[len(head) : len(chain) - len(last)] + last
    runs = _SPACES.split(chain)
    spaces = _SPACES.findall(chain)
    # Spaces spelling rules out go first: the runs either side are one.
    parts = [[runs[0]]]
    kept: list[str] = []  # the spaces left between the merged runs
    for space, run in zip(spaces, runs[1:], strict=True):
        if parts[-1][-1][-1] in _LEADING_VOWELS or run[0] in _NOT_FIRST:
            parts[-1].append(run)
        else:
            parts.append([run])
            kept.append(space)
    merged = ["".join(part) for part in parts]
    removed = _removed_spaces(tuple(merged)) if len(merged) > 1 else set()
    out = [merged[0]]
    for index, (space, run) in enumerate(zip(kept, merged[1:], strict=True)):
        if index not in removed:
            out.append(space)
        out.append(run)
    return "".join(out)


def _removed_spaces(runs: tuple[str, ...]) -> set[int]:
    """Which of the spaces between the runs (0 the first) a word runs across in the best reading."""
    text = "".join(runs)
    gaps: list[int] = []  # where each space was, as an offset in text
    for run in runs[:-1]:
        gaps.append((gaps[-1] if gaps else 0) + len(run))
    crossed = _crossed(text, gaps)
    # Only a space some word runs across can go. The others cut the text into parts that read the same on their own,
    # and so does a stretch long enough that no word reaches from one space's words to the next one's: each part is
    # read by itself, from WINDOW letters before its first space to WINDOW letters after its last one.
    removed: set[int] = set()
    index = 0
    while index < len(gaps):
        if not crossed[index]:
            index += 1
            continue
        first = index
        while index + 1 < len(gaps) and crossed[index + 1] and gaps[index + 1] - gaps[index] <= 2 * WINDOW:
            index += 1
        left = max(gaps[first] - WINDOW, gaps[first - 1] if first else 0)
        right = min(gaps[index] + WINDOW, gaps[index + 1] if index + 1 < len(gaps) else len(text))
        part = tuple(gap - left for gap in gaps[first : index + 1])
        removed |= {first + gap for gap in _read(text[left:right], part)}
        index += 1
    return removed


def _crossed(text: str, gaps: list[int]) -> list[bool]:
    """Whether a word may run across each of these places in text: one that starts within MAX_WORD letters before it,
    or "การ"/"ความ" just before it. Each letter is looked up once, with the first space after it: a word that does not
    reach past that one reaches past none further on."""
    ordered = _dictionary()[1]
    crossed = [any(text.endswith(prefix, 0, gap) for prefix in NOUN_PREFIXES) for gap in gaps]
    for index, gap in enumerate(gaps):
        for start in range(max(gap - MAX_WORD + 1, gaps[index - 1] if index else 0), gap):
            if not _may_start(text, start):
                continue
            across = text[start : gap + 1]
            low = bisect_left(ordered, across)  # the first word from these letters on, if any starts with them
            if low == len(ordered) or not ordered[low].startswith(across):
                continue
            ends = _word_ends(text[start : start + MAX_WORD])
            later = index
            while ends and later < len(gaps) and gaps[later] < start + ends[-1]:
                crossed[later] = True
                later += 1
    return crossed


@lru_cache(maxsize=4096)  # a report repeats its phrases (headers, indicator names)
def _read(text: str, gaps: tuple[int, ...]) -> frozenset[int]:
    """Which of the spaces at these places in text (0 the first) the best reading of it removes."""
    before = [0] * (len(text) + 1)  # before[k]: how many spaces were before text[k]
    for gap in gaps:
        before[gap] += 1
    for k in range(1, len(text) + 1):
        before[k] += before[k - 1]
    # best[i]: the least reading of text[:i], as (words, "การ"/"ความ" joined to a word after a space, spaces
    # removed) in one number; a letter no word explains is a word of its own. back[i]: where its last word starts.
    scale = len(gaps) + 1
    word, noun = scale * scale, scale
    best = [0] + [(len(text) + 1) * word] * len(text)
    back = [0] * (len(text) + 1)
    for i in range(len(text)):
        cost = best[i] + word
        if cost < best[i + 1]:  # a letter no word explains
            best[i + 1], back[i + 1] = cost, i
        if not _may_start(text, i):
            continue
        steps = [(i + length, cost) for length in _word_ends(text[i : i + MAX_WORD])]
        for prefix in NOUN_PREFIXES:
            after = i + len(prefix)
            if after < len(text) and before[after] > before[after - 1] and text.startswith(prefix, i):
                steps += [(after + length, cost + noun) for length in _word_ends(text[after : after + MAX_WORD])]
        for end, step in steps:
            step += before[end - 1] - before[i]
            if step < best[end]:
                best[end], back[end] = step, i
    at = {gap: index for index, gap in enumerate(gaps)}
    removed = set()
    end = len(text)
    while end > 0:
        start = back[end]
        removed |= {at[k] for k in range(start + 1, end) if k in at}
        end = start
    return frozenset(removed)


def _may_start(text: str, index: int) -> bool:
    """Whether spelling lets a word start at text[index]: not on a vowel or mark written after its letter, nor on the
    letter after a vowel written before it."""
    return text[index] not in _NOT_FIRST and (index == 0 or text[index - 1] not in _LEADING_VOWELS)


@lru_cache(maxsize=16384)  # some 3 MB at most
def _word_ends(text: str) -> tuple[int, ...]:
    """The lengths of the dictionary words text starts with, shortest first."""
    if not text or text[0] in _NOT_FIRST:
        return ()
    words, ordered = _dictionary()
    ends = []
    low = 0
    for end in range(1, len(text) + 1):
        prefix = text[:end]
        low = bisect_left(ordered, prefix, low)
        if low == len(ordered) or not ordered[low].startswith(prefix):
            break  # no word starts with these letters, so none with more of them
        if prefix in words:
            ends.append(end)
    return tuple(ends)
