"""The fund's PDF fonts: the DejaVu faces every PDF is set in, the Tibetan-script face that
draws Dzongkha, the folders a PDF may load fonts from (fund/pdf_fetcher.py), and the
replacement of characters no font of the fund draws (`replace_missing_glyphs`).

The DejaVu faces are found under PDF_FONT_DIR (a missing one is `MissingFont`, naming the file
and how to install it); the Tibetan face, DDC Uchen (Dzongkha Development Commission, SIL Open
Font License; Debian's `fonts-ddc-uchen`), under PDF_TIBETAN_FONT_DIR. Without it the PDFs
still render, every Tibetan character replaced by U+FFFD, and a warning is logged once.
Each face is prepared once for fast subsetting into PDF_FONT_CACHE_DIR (`prepare_font`);
`font_css` gives the @font-face rules of the "Fund Sans" and "Fund Tibetan" families, and
`FONT_FAMILY` the font-family chain every PDF stylesheet uses: Latin, Greek, Cyrillic and
symbols stay in DejaVu, Tibetan falls back to Uchen.
"""

import functools
import hashlib
import logging
import os
import re
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

# WeasyPrint's progress and fontTools' subsetting log dozens of INFO lines per document;
# under the project's INFO root logger that is noise in the server log and costs time.
for _name in ("fontTools", "weasyprint.progress"):
    logging.getLogger(_name).setLevel(logging.WARNING)


class _OnceOnly(logging.Filter):
    """WeasyPrint warns on every document that it subsets fonts with fontTools because
    HarfBuzz-Subset is not installed; prepare_font makes that cheap, so say it once."""

    def __init__(self, marker: str):
        super().__init__()
        self.marker, self.seen = marker, False

    def filter(self, record: logging.LogRecord) -> bool:
        if self.marker not in str(record.msg):
            return True
        self.seen, first = True, not self.seen
        return first


logging.getLogger("weasyprint").addFilter(_OnceOnly("HarfBuzz-Subset"))

DEFAULT_FONT_DIR = "/usr/share/fonts/truetype/dejavu"
FONT_FACES = (  # (weight, style, file)
    ("normal", "normal", "DejaVuSans.ttf"),
    ("bold", "normal", "DejaVuSans-Bold.ttf"),
    ("normal", "italic", "DejaVuSans-Oblique.ttf"),
)

# The prepared faces keep these Unicode blocks: Latin, Greek, Cyrillic, punctuation, currency
# and common symbols. A character outside them is still drawn, by fontconfig's fallback to the
# installed faces (the full DejaVu), at the old cost for that one document.
FONT_RANGES = (
    (0x0020, 0x007E), (0x00A0, 0x052F), (0x1E00, 0x1EFF), (0x2000, 0x23FF),
    (0x2500, 0x27BF), (0xFB00, 0xFB06), (0xFFFD, 0xFFFD),
)
FONT_RECIPE = "2"  # change it when prepare_font changes, so cached faces are rebuilt

# The Tibetan face: Debian's fonts-ddc-uchen installs it here.
DEFAULT_TIBETAN_FONT_DIR = "/usr/share/fonts/truetype/tibetan"
TIBETAN_FONT_FILE = "DDC_Uchen.ttf"
# Its prepared copy keeps the Tibetan block (letters, subjoined letters, vowel signs, marks,
# digits, the tsheg ་ and the shad །), the spaces (Pango draws a space after Tibetan text with
# the Tibetan face, never choosing a font for a space alone), the zero-width space and joiners
# typed inside Tibetan words, and the dotted circle HarfBuzz draws under a mark with no
# letter; with the GSUB, GPOS
# and GDEF tables that stack the letters, and every stack glyph they reach. Its Latin glyphs
# are left out, so Latin text always comes from DejaVu.
TIBETAN_RANGES = (
    (0x0020, 0x0020), (0x00A0, 0x00A0), (0x0F00, 0x0FFF), (0x200B, 0x200D), (0x25CC, 0x25CC),
)

# The font-family chain of every PDF stylesheet (templates/documents/base.html,
# templates/rewards/dossier.html). The families are the fund's own faces, registered by
# `font_css`; a character neither draws is replaced before rendering (`replace_missing_glyphs`).
FONT_FAMILY = '"Fund Sans", "Fund Tibetan"'
# What a character no font of the fund draws (an emoji, a symbol, another script) becomes:
# U+FFFD REPLACEMENT CHARACTER, drawn by DejaVu, visible and read back as itself.
REPLACEMENT = "\ufffd"


class MissingFont(ImproperlyConfigured):
    """The PDF font is not installed where the settings say."""


def font_dir() -> Path:
    return Path(getattr(settings, "PDF_FONT_DIR", "") or DEFAULT_FONT_DIR)


def font_files() -> list[Path]:
    """The three DejaVu faces the documents use; raises MissingFont naming the missing file."""
    directory = font_dir()
    paths = [directory / filename for _, _, filename in FONT_FACES]
    for path in paths:
        if not path.is_file():
            raise MissingFont(
                f"The PDF font {path} is missing. Install the DejaVu fonts "
                "(Debian/Ubuntu: apt-get install fonts-dejavu-core) or set PDF_FONT_DIR to "
                "a folder holding DejaVuSans.ttf, DejaVuSans-Bold.ttf and DejaVuSans-Oblique.ttf."
            )
    return paths


def tibetan_font_dir() -> Path:
    return Path(getattr(settings, "PDF_TIBETAN_FONT_DIR", "") or DEFAULT_TIBETAN_FONT_DIR)


_warned_missing_tibetan: set[Path] = set()


def tibetan_font_file() -> Path | None:
    """DDC Uchen under PDF_TIBETAN_FONT_DIR (where Debian installs it), else under PDF_FONT_DIR
    beside the DejaVu faces (one folder holding every font of the PDFs); or None (logged once
    per path) when missing: the PDFs then show U+FFFD for each Tibetan character, never blank
    boxes."""
    path = tibetan_font_dir() / TIBETAN_FONT_FILE
    if path.is_file():
        return path
    beside = font_dir() / TIBETAN_FONT_FILE
    if beside.is_file():
        return beside
    if path not in _warned_missing_tibetan:
        _warned_missing_tibetan.add(path)
        logger.warning(
            "The Tibetan PDF font %s is missing: Dzongkha text in PDFs is replaced by U+FFFD. "
            "Install it (Debian/Ubuntu: apt-get install fonts-ddc-uchen), put %s in "
            "PDF_FONT_DIR, or set PDF_TIBETAN_FONT_DIR to the folder holding it.", path,
            TIBETAN_FONT_FILE)
    return None


def font_cache_dir() -> Path:
    configured = getattr(settings, "PDF_FONT_CACHE_DIR", "")
    return Path(configured or Path(tempfile.gettempdir()) / f"fund-pdf-fonts-{os.getuid()}")


def prepare_font(source: Path, ranges=FONT_RANGES, *, layout: bool = False) -> Path:
    """A copy of a face that WeasyPrint subsets in milliseconds instead of 0.2 s.

    Without HarfBuzz-Subset (libharfbuzz-subset0, which we cannot rely on), WeasyPrint subsets
    every embedded face with fontTools on every document, and fontTools decompiles the whole
    GSUB/GPOS/GDEF tables of the face first, although WeasyPrint drops them from the PDF. The
    copy keeps the glyphs of `ranges` (code point pairs, inclusive; FONT_RANGES for DejaVu), the
    legacy `kern` table (HarfBuzz kerns with it when GPOS is absent) and no hinting (which the
    PDF drops too). With `layout` (a script whose letters are shaped, as Tibetan stacks are)
    it keeps GSUB, GPOS and GDEF with every feature, and every glyph they reach from `ranges`.
    It is made once per font file and recipe and cached on disk; if the cache cannot be
    written, the original face is used, only slower.
    """
    stat = source.stat()
    recipe = f"{FONT_RECIPE}|{ranges}|{layout}"
    digest = hashlib.sha256(
        f"{recipe}|{source.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode()
    ).hexdigest()[:16]
    target = font_cache_dir() / f"{source.stem}-{digest}.ttf"
    if target.is_file():
        return target
    try:
        from fontTools import subset
        from fontTools.ttLib import TTFont

        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        options = subset.Options(
            glyph_names=False, hinting=False, legacy_kern=True, notdef_outline=True,
            name_IDs=["*"], name_languages=["*"],
        )
        if layout:
            options.layout_features = ["*"]
            options.drop_tables += ["MATH", "FFTM", "VDMX"]
        else:
            options.drop_tables += ["GSUB", "GPOS", "GDEF", "MATH", "FFTM"]
        subsetter = subset.Subsetter(options)
        subsetter.populate(
            unicodes=[code for low, high in ranges for code in range(low, high + 1)])
        font = TTFont(source)
        subsetter.subset(font)
        # Written aside then renamed: another process may be preparing the same face.
        with tempfile.NamedTemporaryFile(dir=target.parent, suffix=".tmp", delete=False) as out:
            font.save(out)
        os.replace(out.name, target)
    except Exception:  # an unwritable cache or an odd font: the original face still works
        logger.warning("Could not prepare the PDF font %s; using it as it is.", source,
                       exc_info=True)
        return source
    return target


def font_sources() -> list[Path]:
    """Every font file the PDFs are set in: the three DejaVu faces, then DDC Uchen when it is
    installed. Raises MissingFont naming a missing DejaVu face."""
    tibetan = tibetan_font_file()
    return [*font_files(), *([tibetan] if tibetan else [])]


def font_css() -> str:
    """@font-face rules of "Fund Sans" (DejaVu) and, when installed, "Fund Tibetan" (DDC Uchen,
    one regular face: bold and italic Tibetan text are drawn with it too); raises MissingFont
    naming a missing DejaVu face."""
    rules = [
        f'@font-face {{ font-family: "Fund Sans"; font-weight: {weight}; '
        f'font-style: {style}; src: url("{prepare_font(path).as_uri()}"); }}'
        for (weight, style, _), path in zip(FONT_FACES, font_files(), strict=True)
    ]
    tibetan = tibetan_font_file()
    if tibetan:
        prepared = prepare_font(tibetan, TIBETAN_RANGES, layout=True)
        rules.append(
            f'@font-face {{ font-family: "Fund Tibetan"; src: url("{prepared.as_uri()}"); }}')
    return "\n".join(rules)


# --- characters no font of the fund draws ------------------------------------------------------
# Invisible by design (Unicode's Default_Ignorable_Code_Point: joiners, direction marks,
# variation selectors, tags): HarfBuzz draws nothing for them, so they stay as typed.
_INVISIBLE = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
    (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164),
    (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
)
# What follows an emoji inside the same emoji: variation selectors, skin tones, tags (flags of
# regions), the keycap; or a zero-width joiner and another emoji (a family, a profession).
_EMOJI_TAIL = r"[\uFE00-\uFE0F\U0001F3FB-\U0001F3FF\U000E0020-\U000E007F\u20E3]"
_REGIONAL_PAIR = r"[\U0001F1E6-\U0001F1FF]{2}"  # a country flag: two regional indicators


def _ranges(codes) -> list[tuple[int, int]]:
    merged: list[list[int]] = []
    for code in sorted(codes):
        if merged and code == merged[-1][1] + 1:
            merged[-1][1] = code
        else:
            merged.append([code, code])
    return [(low, high) for low, high in merged]


def _cmap(path: Path) -> set[int]:
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True) as font:
        return set(font.getBestCmap() or {})


def _class(codes) -> str:
    """A regular-expression character class body matching `codes`."""
    return "".join(
        f"\\U{low:08x}" if low == high else f"\\U{low:08x}-\\U{high:08x}"
        for low, high in _ranges(codes)
    )


@functools.lru_cache(maxsize=4)
def _missing_pattern(dejavu: tuple[tuple[str, int], ...],
                     tibetan: tuple[str, int] | None) -> re.Pattern:
    """The pattern of what no font draws; the arguments are (file, mtime) pairs, so that a
    font installed or replaced is read again."""
    drawn = {0x09, 0x0A, 0x0D}
    for name, _ in dejavu:
        drawn |= _cmap(Path(name))
    if tibetan:  # only what its prepared copy keeps
        drawn |= {code for code in _cmap(Path(tibetan[0]))
                  if any(low <= code <= high for low, high in TIBETAN_RANGES)}
    drawn |= {code for low, high in _INVISIBLE for code in range(low, high + 1)}
    missing = f"[^{_class(drawn)}]"
    return re.compile(f"(?:{_REGIONAL_PAIR}|{missing})(?:{_EMOJI_TAIL}|\\u200d{missing})*")


def replace_missing_glyphs(text: str) -> str:
    """`text` with every character that no font of the fund draws replaced by REPLACEMENT
    (U+FFFD, drawn by DejaVu): one per emoji, a sequence included (👍🏽, 👩‍💻, 🇧🇹), one per
    other character (a symbol, a letter of a script without a face). Drawn characters are
    those of the DejaVu faces (all their glyphs: those outside the prepared copies come from
    the installed DejaVu) and the Tibetan block of DDC Uchen when it is installed; invisible
    format characters (joiners, variation selectors) and tab, newline and carriage return stay.
    Without it WeasyPrint draws an empty box or a blank, and the character cannot be read back.
    Applied to the whole HTML of every PDF (fund/documents.py `html_to_pdf`): the markup is
    ASCII, so only text changes. Raises MissingFont naming a missing DejaVu face."""
    dejavu = tuple((str(path), path.stat().st_mtime_ns) for path in font_files())
    tibetan = tibetan_font_file()
    key = (str(tibetan), tibetan.stat().st_mtime_ns) if tibetan else None
    return _missing_pattern(dejavu, key).sub(REPLACEMENT, text)
