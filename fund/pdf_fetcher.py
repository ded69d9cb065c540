"""What a PDF may load: the fund's own fonts and its static files, nothing else.

WeasyPrint follows every URL a document names (`file://`, `http://`, `https://`, `data:`),
so one unescaped value in a template would read any file of the server or reach any host it
can. Every PDF (fund/documents.py, rewards/documents.py) renders with `PdfURLFetcher`, which
serves only font files under the PDF font folders (PDF_FONT_DIR, PDF_TIBETAN_FONT_DIR, the
prepared copies in the font cache; fund/pdf_fonts.py) and files under STATIC_ROOT or the
staticfiles finders' folders, and refuses the rest with `RefusedResource`: WeasyPrint logs the
refusal and renders the document without that resource. WeasyPrint needs no `data:` URL for
the fonts, so those are refused too.
"""

from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint.urls import URLFetcher

from .pdf_fonts import font_cache_dir, font_dir, tibetan_font_dir

FONT_SUFFIXES = {".ttf", ".otf", ".woff", ".woff2"}


class RefusedResource(ValueError):
    """A PDF named a resource that is neither one of the fund's fonts nor a static file."""


def _static_roots() -> list[Path]:
    roots = [Path(settings.STATIC_ROOT)] if getattr(settings, "STATIC_ROOT", None) else []
    for finder in finders.get_finders():
        roots += [Path(storage.location) for storage in getattr(finder, "storages", {}).values()]
    return roots


def _within(path: Path, roots) -> bool:
    return any(path.is_relative_to(root.resolve()) for root in roots)


class PdfURLFetcher(URLFetcher):
    def __init__(self, font_dirs=(), **kwargs):
        super().__init__(allowed_protocols=("file",), allow_redirects=False, **kwargs)
        self.font_dirs = [font_dir(), tibetan_font_dir(), font_cache_dir(),
                          *map(Path, font_dirs)]

    def allowed_path(self, url: str) -> Path:
        """The file a URL names if a PDF may load it; else RefusedResource."""
        parts = urlsplit(url)
        if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
            raise RefusedResource(
                f"PDF documents load only the fund's fonts and static files; refused {url[:200]}")
        path = Path(url2pathname(parts.path)).resolve()
        if path.is_file():
            if path.suffix.lower() in FONT_SUFFIXES and _within(path, self.font_dirs):
                return path
            if _within(path, _static_roots()):
                return path
        # "/static/…" in a template resolves against the document's base URL to file:///static/…
        prefix = "/" + settings.STATIC_URL.strip("/") + "/"
        if parts.path.startswith(prefix) and ".." not in parts.path:
            found = finders.find(url2pathname(parts.path[len(prefix):]))
            if found:
                return Path(found).resolve()
        raise RefusedResource(
            f"PDF documents load only the fund's fonts and static files; refused {url[:200]}")

    def fetch(self, url, headers=None):
        return super().fetch(self.allowed_path(url).as_uri(), headers)
