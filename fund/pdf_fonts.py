"""The fund's PDF font: the DejaVu faces every PDF is set in (fund/documents.py) and the
folders a PDF may load fonts from (fund/pdf_fetcher.py).

The faces are found under PDF_FONT_DIR (a missing one is `MissingFont`, naming the file and
how to install it) and prepared once for fast subsetting into PDF_FONT_CACHE_DIR
(`prepare_font`); `font_css` gives the @font-face rules of the "Fund Sans" family.
"""

import hashlib
import logging
import os
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
FONT_RECIPE = "1"  # change it when prepare_font changes, so cached faces are rebuilt


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


def font_cache_dir() -> Path:
    configured = getattr(settings, "PDF_FONT_CACHE_DIR", "")
    return Path(configured or Path(tempfile.gettempdir()) / f"fund-pdf-fonts-{os.getuid()}")


def prepare_font(source: Path) -> Path:
    """A copy of a DejaVu face that WeasyPrint subsets in milliseconds instead of 0.2 s.

    Without HarfBuzz-Subset (libharfbuzz-subset0, which we cannot rely on), WeasyPrint subsets
    every embedded face with fontTools on every document, and fontTools decompiles the whole
    GSUB/GPOS/GDEF tables of the face first, although WeasyPrint drops them from the PDF. The
    copy keeps the glyphs of FONT_RANGES, the legacy `kern` table (HarfBuzz kerns with it when
    GPOS is absent) and no hinting (which the PDF drops too). It is made once per font file and
    cached on disk; if the cache cannot be written, the original face is used, only slower.
    """
    stat = source.stat()
    digest = hashlib.sha256(
        f"{FONT_RECIPE}|{source.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode()
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
        options.drop_tables += ["GSUB", "GPOS", "GDEF", "MATH", "FFTM"]
        subsetter = subset.Subsetter(options)
        subsetter.populate(
            unicodes=[code for low, high in FONT_RANGES for code in range(low, high + 1)])
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


def font_css() -> str:
    """@font-face rules for the bundled family; raises MissingFont naming the missing file."""
    return "\n".join(
        f'@font-face {{ font-family: "Fund Sans"; font-weight: {weight}; '
        f'font-style: {style}; src: url("{prepare_font(path).as_uri()}"); }}'
        for (weight, style, _), path in zip(FONT_FACES, font_files(), strict=True)
    )
