"""Words, queries and highlights, the same on every database.

A query is cut into words here (never handed raw to a full-text parser), so a quote, a
parenthesis or an operator in what someone typed is only text, and both backends search the
same words: letters and digits, lower case, English stop words left out (PostgreSQL's
`english.stop` list, so a word one backend ignores the other ignores too).

A word keeps its combining marks (Unicode categories Mn and Mc): Tibetan script (Dzongkha)
writes its vowels and stacked letters as marks (ཤིས is ཤ + ི + ས, བཀྲ is བ + ཀ + ྲ), which
`str.isalnum()` refuses, and separates its syllables with the tsheg ་ (punctuation). So a
Dzongkha word is a whole syllable, never a broken grapheme cluster, as in SQLite's FTS5
tables (unicode61 with the categories "L* N* Co Mn Mc", search/index.py) and PostgreSQL's
parser (a UTF-8 database: the tsheg is a blank there).
"""

import re
import sys
import unicodedata
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

MAX_QUERY_CHARS = 200  # what is read of a query; the rest is ignored, and the page says so
MAX_QUERY_WORDS = 12  # words searched for

# PostgreSQL's english.stop (the Snowball list).
STOP_WORDS = frozenset("""
i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
she her hers herself it its itself they them their theirs themselves what which who whom this
that these those am is are was were be been being have has had having do does did doing a an
the and but if or because as until while of at by for with about against between into through
during before after above below to from up down in out on off over under again further then
once here there when where why how all any both each few more most other some such no nor not
only own same so than too very s t can will just don should now
""".split())



def _mark_ranges() -> str:
    """A character class's ranges of every combining mark (Mn, Mc) of planes 0, 1 and 14."""
    ranges, start = [], None
    for cp in (*range(0x20000), *range(0xE0000, min(0xE1000, sys.maxunicode + 1)), -1):
        mark = cp >= 0 and unicodedata.category(chr(cp)) in ("Mn", "Mc")
        if mark and start is None:
            start = cp
        elif not mark and start is not None:
            ranges.append(f"{chr(start)}-{chr(cp - 1)}" if cp - 1 > start else chr(start))
            start = None
    return "".join(ranges)


# A letter or digit (not "_") or a combining mark, repeated.
WORD = re.compile(rf"(?:[^\W_]|[{_mark_ranges()}])+", re.UNICODE)

# Markers the databases put around a match (characters of Unicode's private use area). The
# highlighted text is escaped piece by piece and only these become <mark> tags.
MARK_START = "\ue000"
MARK_END = "\ue001"
_MARKS = re.compile(f"([{MARK_START}{MARK_END}])")


def words(text: str) -> list[str]:
    """The words of `text`, lower case, in order (repeats kept)."""
    return WORD.findall((text or "").lower())


def content_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in STOP_WORDS]


@dataclass
class ParsedQuery:
    """What was asked: the words to search for, or why there are none."""

    text: str
    terms: list[str] = field(default_factory=list)
    message: str = ""  # why nothing is searched (empty, only stop words)
    note: str = ""  # searched, but the query was cut

    @property
    def searchable(self) -> bool:
        return bool(self.terms)


EMPTY_MESSAGE = _("Type a few words to search for, such as “maternal health SMS”.")
STOP_WORDS_MESSAGE = _(
    "“{text}” has only very common words (like “the”, “and”, “of”), which the search "
    "leaves out. Add a word that says what the work is about."
)


def parse_query(raw) -> ParsedQuery:
    """Read a query: bounded to MAX_QUERY_CHARS characters and MAX_QUERY_WORDS words; empty
    or only stop words is a message, never an error."""
    # The stored texts are in normalisation form C (workflow/bounds.py): the query too.
    text = " ".join(unicodedata.normalize("NFC", str(raw or "")).split())
    note = ""
    if len(text) > MAX_QUERY_CHARS:
        # Cut between words: a word cut in two would search for a word nobody wrote.
        cut = text[:MAX_QUERY_CHARS + 1]
        text = cut.rsplit(" ", 1)[0] if " " in cut else text[:MAX_QUERY_CHARS]
        note = gettext("Only the first %(count)d characters were searched.") % {
            "count": MAX_QUERY_CHARS}
    found = words(text)
    if not found:
        return ParsedQuery(text=text, message=str(EMPTY_MESSAGE))
    terms = list(dict.fromkeys(w for w in found if w not in STOP_WORDS))
    if not terms:
        return ParsedQuery(text=text, message=str(STOP_WORDS_MESSAGE).format(text=text[:60]))
    if len(terms) > MAX_QUERY_WORDS:
        terms = terms[:MAX_QUERY_WORDS]
        note = gettext("Only the first %(count)d words were searched.") % {
            "count": MAX_QUERY_WORDS}
    terms = [t[:40] for t in terms]
    return ParsedQuery(text=text, terms=terms, note=note)


def highlighted(text: str | None) -> SafeString:
    """Escape `text` and turn the database's match markers into <mark> elements.

    Every piece of the text is escaped; the tags are ours and always balanced, whatever the
    text holds (a stray marker in someone's text opens or closes nothing unbalanced)."""
    out, open_ = [], False
    for piece in _MARKS.split(text or ""):
        if piece == MARK_START:
            if not open_:
                out.append("<mark>")
                open_ = True
        elif piece == MARK_END:
            if open_:
                out.append("</mark>")
                open_ = False
        elif piece:
            out.append(escape(piece))
    if open_:
        out.append("</mark>")
    return mark_safe("".join(out))  # noqa: S308 (every piece above is escaped)


def plain(text: str | None) -> str:
    """The text without match markers (for the API's plain fields)."""
    return _MARKS.sub("", text or "")


# --- similarity, the same on both databases -------------------------------------------------
_SUFFIXES = ("ings", "ing", "ies", "ied", "es", "ed", "s")


def stem(word: str) -> str:
    """A light English stem (enough to match "clinics" with "clinic", "tracking" with
    "track"), used only to compare two texts; the databases stem properly for retrieval."""
    for suffix in _SUFFIXES:
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def stems(text: str) -> set[str]:
    return {stem(w) for w in content_words(text)}


def trigrams(text: str) -> set[str]:
    """pg_trgm's trigrams: each word, lower case, padded with two spaces before and one after."""
    grams = set()
    for word in words(text):
        padded = f"  {word} "
        grams.update(padded[i:i + 3] for i in range(len(padded) - 2))
    return grams


def trigram_similarity(a: str, b: str) -> float:
    """pg_trgm's `similarity(a, b)`: shared trigrams over all trigrams of both."""
    ta, tb = trigrams(a), trigrams(b)
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / len(ta | tb)


def dice(a: set, b: set) -> float:
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))
