"""Dzongkha typed by users prints in every PDF the product makes, in the Tibetan-script face
DDC Uchen, and reads back from the file as typed; Latin text stays in DejaVu; an emoji or a
symbol no font of the fund draws prints as U+FFFD, never as a blank (issue 18).

The PDFs: the proposal summary and the award letter (fund/documents.py), the round portfolio
(documents/portfolio.py) and the innovation-record dossier (rewards/documents.py). Each is
rendered with Dzongkha in its titles, summaries, names and learnings, and read back with pypdf;
the comparison normalises whitespace only (line breaks where a line wraps: after a space in
Latin text, after a tsheg ་ in Tibetan).

Without fonts-ddc-uchen (PDF_TIBETAN_FONT_DIR) the tests that need it are skipped and say so;
.ci/run installs it.
"""

import io
import logging
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from documents import portfolio
from fund import documents, pdf_fonts
from fund.factories import FundFactory, RoundFactory
from fund.models import Award, Tranche
from people.factories import AgencyFactory, UserFactory
from proposals.factories import BudgetLineFactory, ProposalFactory
from rewards.documents import render_dossier
from rewards.factories import LearningFactory
from rewards.selectors import innovation_record

# "Tashi Delek", the title of issue 18; the others exercise stacked letters (ཀྲ, སྦྱོ, རྒྱ,
# བསྒྲུབས), vowel signs above and below, the tsheg ་ and the shad །.
TITLE = "བཀྲ་ཤིས་བདེ་ལེགས།"
SUMMARY = "འབྲུག་རྒྱལ་ཁབ་ཀྱི་སྨན་ཁང་ནང་ལུ་ནད་པ་ཚུ་གི་སྒུག་སྡོད་ཀྱི་དུས་ཚོད་ཉུང་སུ་བཟོ་ནི།"
FIRST_NAME, LAST_NAME = "པདྨ་", "དབང་མོ"
AGENCY = "གསོ་བ་ལྷན་ཁག"
FUND = "རྒྱལ་ཡོངས་དགའ་སྐྱིད་གསར་གཏོད་མ་དངུལ"
ROUND = "ཐིམ་ཕུ་རིམ་པ་དང་པ"
BUDGET_LINE = "མི་མང་དང་གྲོས་བསྡུར་བསྒྲུབས་ནི"
CONDITIONS = "ཡར་རྒྱས་ཀྱི་སྙན་ཞུ་ཟླ་རིམ་བཞིན་ཕུལ་དགོ།"
LEARNING = "ང་བཅས་ཀྱིས་སློབ་སྦྱོང་འབད་ཡི།"
DZONGKHA = (TITLE, SUMMARY, FIRST_NAME, LAST_NAME, AGENCY, FUND, ROUND, BUDGET_LINE,
            CONDITIONS, LEARNING)

TIBETAN_FONT = Path(settings.PDF_TIBETAN_FONT_DIR or pdf_fonts.DEFAULT_TIBETAN_FONT_DIR) \
    / pdf_fonts.TIBETAN_FONT_FILE
needs_uchen = pytest.mark.skipif(
    not TIBETAN_FONT.is_file(),
    reason=f"the Tibetan PDF font {TIBETAN_FONT} is not installed "
           "(apt-get install fonts-ddc-uchen, or set PDF_TIBETAN_FONT_DIR)",
)


def is_tibetan(char: str) -> bool:
    return 0x0F00 <= ord(char) <= 0x0FFF


def normalised(text: str) -> str:
    """Whitespace only: runs collapsed to one space, and none after a tsheg ་ or a shad །,
    where a Tibetan line wraps without a space (the typed text is normalised alike)."""
    return re.sub(r"(?<=[\u0f0b\u0f0d]) ", "", " ".join(text.split()))


def pdf_text(content: bytes) -> str:
    """Every page's text, whitespace normalised (and nothing else)."""
    reader = PdfReader(io.BytesIO(content))
    return normalised(" ".join(page.extract_text() or "" for page in reader.pages))


def pdf_fonts_used(content: bytes) -> dict[str, str]:
    """{BaseFont name: every character its ToUnicode map gives} for the fonts of every page."""
    reader = PdfReader(io.BytesIO(content))
    fonts: dict[str, str] = {}
    for page in reader.pages:
        for font in (page["/Resources"].get_object().get("/Font") or {}).values():
            font = font.get_object()
            name = str(font["/BaseFont"])
            data = font["/ToUnicode"].get_object().get_data().decode("latin-1")
            chars = "".join(
                bytes.fromhex(hexa).decode("utf-16-be")
                for hexa in re.findall(r"<[0-9a-fA-F]{4}> <([0-9a-fA-F]*)>", data))
            fonts[name] = fonts.get(name, "") + chars
    return fonts


def assert_typed_text_reads_back(content: bytes, *expected: str) -> None:
    text = pdf_text(content)
    for typed in expected:
        assert normalised(typed) in text, (typed, text)


def assert_tibetan_in_uchen_and_latin_in_dejavu(content: bytes) -> None:
    fonts = pdf_fonts_used(content)
    tibetan = {name: chars for name, chars in fonts.items() if "Fund-Tibetan" in name}
    assert tibetan, f"no Fund Tibetan (DDC Uchen) face embedded: {sorted(fonts)}"
    for name, chars in tibetan.items():  # Uchen draws Tibetan (and the spaces after it) only
        # (U+FFFF: WeasyPrint's entry for glyph 0, .notdef, in every font; never drawn here)
        assert all(is_tibetan(c) or c in " \u00a0\uffff" for c in chars), (name, chars)
    for name, chars in fonts.items():
        if name not in tibetan:  # every other face is DejaVu, and draws no Tibetan
            assert "Fund-Sans" in name, f"a face outside the fund's fonts: {name}"
            assert not any(is_tibetan(c) for c in chars), (name, chars)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def dzongkha_world(db):
    """A fund, a round and a funded proposal typed in Dzongkha, with its lead, agency, budget
    line, award (conditions) and a learning; and a fund manager to read the portfolio."""
    agency = AgencyFactory(code="MOH", name=AGENCY)
    lead = UserFactory(username="pema", first_name=FIRST_NAME, last_name=LAST_NAME,
                       agency=agency)
    fund = FundFactory(name=FUND)
    round_ = RoundFactory(fund=fund, title=ROUND, budget=Decimal("2500000.00"),
                          max_award=Decimal("1000000.00"))
    proposal = ProposalFactory(round=round_, lead=lead, funded=True, title=TITLE,
                               summary=SUMMARY)
    BudgetLineFactory(proposal=proposal, description=BUDGET_LINE, amount=Decimal("120000.00"))
    manager = UserFactory(username="manager", fund_manager=True, first_name="Sonam",
                          last_name="Dorji")
    award = Award.objects.create(proposal=proposal, amount=Decimal("400000.00"),
                                 approved_by=manager, conditions=CONDITIONS)
    Tranche.objects.create(award=award, sequence=1, amount=Decimal("400000.00"),
                           due_on="2027-04-01", milestone=SUMMARY)
    LearningFactory(title=LEARNING, proposal=proposal, created_by=lead)
    ProposalFactory(round=round_, recommended=True, title=f"Bus timetables · {TITLE}")
    return {"proposal": proposal, "award": award, "round": round_, "lead": lead,
            "manager": manager}


# --- every PDF --------------------------------------------------------------------------------
@needs_uchen
def test_the_proposal_summary_prints_dzongkha(dzongkha_world):
    content = documents.proposal_summary_pdf(dzongkha_world["proposal"])
    assert_typed_text_reads_back(
        content, TITLE, SUMMARY, f"{FIRST_NAME} {LAST_NAME}, {AGENCY}", BUDGET_LINE,
        f"Proposal summary · {FUND} · {ROUND}", f"Proposal summary · {ROUND}",  # the footer
    )
    assert_tibetan_in_uchen_and_latin_in_dejavu(content)


@needs_uchen
def test_the_summary_from_the_api_prints_dzongkha(client, dzongkha_world):
    client.force_login(dzongkha_world["lead"])
    response = client.get(f"/api/v1/proposals/{dzongkha_world['proposal'].pk}/summary.pdf")
    assert response.status_code == 200
    assert_typed_text_reads_back(response.content, TITLE, SUMMARY)
    assert_tibetan_in_uchen_and_latin_in_dejavu(response.content)


@needs_uchen
def test_the_award_letter_prints_dzongkha(dzongkha_world):
    content = documents.award_letter_pdf(dzongkha_world["award"])
    assert_typed_text_reads_back(
        content, f"To {FIRST_NAME} {LAST_NAME}, Programme Officer, {AGENCY}",
        f"“{TITLE}”, proposed in {ROUND}", CONDITIONS, SUMMARY, f"Signed for {FUND}",
    )
    assert_tibetan_in_uchen_and_latin_in_dejavu(content)


@needs_uchen
def test_the_round_portfolio_prints_dzongkha(dzongkha_world):
    content = portfolio.round_portfolio_pdf(dzongkha_world["round"], dzongkha_world["manager"])
    assert_typed_text_reads_back(
        content, f"Round portfolio: {ROUND}", TITLE, f"Bus timetables · {TITLE}",
        f"{AGENCY} (MOH)", FUND,
    )
    assert_tibetan_in_uchen_and_latin_in_dejavu(content)


@needs_uchen
def test_the_innovation_record_dossier_prints_dzongkha(dzongkha_world):
    content = render_dossier(innovation_record(person=dzongkha_world["lead"]))
    assert_typed_text_reads_back(
        content, f"Innovation record: {FIRST_NAME} {LAST_NAME}", AGENCY, TITLE, ROUND, LEARNING,
    )
    assert_tibetan_in_uchen_and_latin_in_dejavu(content)


# --- the font -----------------------------------------------------------------------------------
@needs_uchen
def test_the_prepared_tibetan_face_keeps_every_tibetan_glyph_and_its_stacking():
    prepared = pdf_fonts.prepare_font(TIBETAN_FONT, pdf_fonts.TIBETAN_RANGES, layout=True)
    assert prepared != TIBETAN_FONT  # a trimmed copy, not the installed face
    with TTFont(TIBETAN_FONT) as source, TTFont(prepared) as copy:
        tibetan = {code for code in source.getBestCmap() if is_tibetan(chr(code))}
        kept = set(copy.getBestCmap())
        assert tibetan <= kept
        assert not any(chr(code).isascii() and chr(code).isalnum() for code in kept)  # no Latin
        for table in ("GSUB", "GPOS", "GDEF"):  # the stacks (ཀྲ, སྦྱོ) are shaped with them
            assert table in copy
        copy_glyphs = copy.getGlyphOrder()
    # Every glyph that shaping Tibetan text can reach in the installed face (its stacks and
    # the placed vowel signs, through GSUB) is kept: the same number of glyphs as fontTools'
    # closure of the installed face over the Tibetan code points. (The face's other stack
    # glyphs are reached only from code points outside the Tibetan block: legacy private-use
    # encodings of stacks, which print as U+FFFD.)
    assert len(copy_glyphs) == len(_closure(TIBETAN_FONT, pdf_fonts.TIBETAN_RANGES))


def _closure(path: Path, ranges) -> list[str]:
    from fontTools import subset

    options = subset.Options(glyph_names=True, notdef_outline=True)
    options.layout_features = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[code for low, high in ranges for code in range(low, high + 1)])
    with TTFont(path) as font:
        subsetter.subset(font)
        return font.getGlyphOrder()


@needs_uchen
def test_the_stylesheets_chain_dejavu_then_uchen():
    css = pdf_fonts.font_css()
    assert 'font-family: "Fund Tibetan"' in css
    for template in ("documents/base.html", "rewards/dossier.html"):
        source = (Path(settings.BASE_DIR) / "templates" / template).read_text()
        families = re.findall(r"font-family:\s*([^;]+);", source)
        assert families and all(f.strip() == pdf_fonts.FONT_FAMILY for f in families), families


# --- what no font draws --------------------------------------------------------------------------
@pytest.mark.parametrize(("typed", "printed"), [
    ("Tashi 👍 delek", "Tashi \ufffd delek"),
    ("👍🏽", "\ufffd"),  # with a skin tone: one emoji
    ("👩‍💻 and 👨‍👩‍👧", "\ufffd and \ufffd"),  # joined by zero-width joiners
    ("🇧🇹!", "\ufffd!"),  # a flag: two regional indicators
    ("❤️ 😀", None),  # DejaVu draws these two, in black; the variation selector is invisible
    ("漢字", "\ufffd\ufffd"),  # a script the fund has no face for
    ("\U000F0000", "\ufffd"),  # a private-use character
    ("Nu. 1,000 — “ok” · Ελληνικά · Кириллица · Բարեւ ✓", None),  # DejaVu draws them
    ("line\nbreak\ttab", None),
    ("zero\u200bwidth and soft\u00adhyphen", None),
])
def test_what_no_font_draws_is_replaced_once_per_character_or_emoji(typed, printed):
    assert pdf_fonts.replace_missing_glyphs(typed) == (typed if printed is None else printed)


@needs_uchen
def test_tibetan_is_drawn_so_it_is_not_replaced():
    assert pdf_fonts.replace_missing_glyphs(TITLE + SUMMARY) == TITLE + SUMMARY


@needs_uchen
def test_an_emoji_prints_as_a_visible_replacement_never_a_blank(dzongkha_world, caplog):
    proposal = dzongkha_world["proposal"]
    proposal.title = f"{TITLE} 👍🏽 Bus 🚌 timetables"
    proposal.save()
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        content = documents.proposal_summary_pdf(proposal)
    assert normalised(f"{TITLE} \ufffd Bus \ufffd timetables") in pdf_text(content)
    assert ".notdef" not in caplog.text  # WeasyPrint drew no empty box
    fonts = pdf_fonts_used(content)
    assert any("\ufffd" in chars for name, chars in fonts.items() if "Fund-Sans" in name)


def test_without_the_tibetan_font_dzongkha_prints_as_replacements(settings, tmp_path, caplog):
    settings.PDF_TIBETAN_FONT_DIR = str(tmp_path)
    with caplog.at_level(logging.WARNING, logger="fund.pdf_fonts"):
        content = documents.html_to_pdf(
            f"<html lang='dz'><p style='font-family: {pdf_fonts.FONT_FAMILY}'>{TITLE} Tashi</p>")
    assert "\ufffd" * len(TITLE) + " Tashi" in pdf_text(content)
    assert "fonts-ddc-uchen" in caplog.text  # said once, with how to install it
    assert not any("Fund-Tibetan" in name for name in pdf_fonts_used(content))


@needs_uchen
def test_the_tibetan_font_is_found_in_pdf_font_dir_like_the_dejavu_faces(settings, tmp_path):
    """One folder may hold every font of the PDFs (issue 18: "found through PDF_FONT_DIR like
    the DejaVu fonts"): Uchen beside DejaVu is used when PDF_TIBETAN_FONT_DIR has none."""
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    for face in Path(pdf_fonts.font_dir()).glob("*.ttf"):
        (fonts / face.name).symlink_to(face)
    (fonts / pdf_fonts.TIBETAN_FONT_FILE).symlink_to(TIBETAN_FONT)
    settings.PDF_FONT_DIR = str(fonts)
    settings.PDF_TIBETAN_FONT_DIR = str(tmp_path / "empty")
    content = documents.html_to_pdf(
        f"<html lang='dz'><p style='font-family: {pdf_fonts.FONT_FAMILY}'>{TITLE} Tashi</p>")
    assert_typed_text_reads_back(content, f"{TITLE} Tashi")
    assert any("Fund-Tibetan" in name for name in pdf_fonts_used(content))
