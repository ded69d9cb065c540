"""README tells the truth about what it points to (issue 15): every relative link leads to a
file in the repository (the design documents are published in docs/design/), `make run`'s
HOST and PORT are named, and the demo logins name the panel members a review needs."""

import re
from pathlib import Path

from portal.demo.shapes import PANEL_MEMBERS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def test_every_relative_link_of_the_readme_and_the_floor_plan_exists():
    for doc in (ROOT / "README.md", ROOT / "docs" / "architecture.md"):
        text = doc.read_text()
        links = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text)
        local = [link for link in links if "://" not in link and not link.startswith("mailto:")]
        assert local, doc
        for link in local:
            assert (doc.parent / link).exists(), f"{doc.name} links to {link}, which is missing"


def test_the_design_documents_are_published_and_linked():
    for name in ("DOMAIN.md", "API.md", "SCREENS.md", "STYLE.md"):
        assert (ROOT / "docs" / "design" / name).stat().st_size > 0
        assert f"(docs/design/{name})" in README


def test_host_and_port_are_named_as_the_makefile_has_them():
    makefile = (ROOT / "Makefile").read_text()
    assert "HOST ?= 127.0.0.1" in makefile and "PORT ?= 8000" in makefile
    assert "make run PORT=8080" in README and "HOST=0.0.0.0" in README
    assert "Nothing else" not in README  # the PDFs need Pango and the fonts


def test_the_demo_logins_name_every_panel_member():
    logins = README[README.index("## Demo logins"):README.index("## Who decides")]
    for username in PANEL_MEMBERS:
        assert f"`{username}`" in logins, username
