"""Queries are bounded and read as words; highlights escape everything but our <mark>."""

from search.text import (
    MARK_END,
    MARK_START,
    MAX_QUERY_CHARS,
    MAX_QUERY_WORDS,
    highlighted,
    parse_query,
    trigram_similarity,
)


def test_an_empty_query_is_a_clear_message():
    for raw in ("", "   ", None, "?!- ()"):
        parsed = parse_query(raw)
        assert not parsed.searchable
        assert "Type a few words" in parsed.message


def test_a_query_of_only_stop_words_says_so():
    parsed = parse_query("the and of to")
    assert not parsed.searchable
    assert "only very common words" in parsed.message


def test_stop_words_are_left_out_of_a_real_query():
    assert parse_query("The health of the mothers").terms == ["health", "mothers"]


def test_a_very_long_query_is_bounded_and_says_so():
    parsed = parse_query("word " * 1000)
    assert len(parsed.text) <= MAX_QUERY_CHARS
    assert parsed.note
    many = parse_query(" ".join(f"w{i}x" for i in range(40)))
    assert len(many.terms) == MAX_QUERY_WORDS and "first" in many.note


def test_query_syntax_is_only_text():
    parsed = parse_query('"mothers" OR (sms* NEAR x) -health & | ! :A')
    assert parsed.terms == ["mothers", "sms", "near", "x", "health"]  # "or", "a": stop words


def test_highlighting_escapes_the_text_and_marks_only_the_matches():
    text = f'<script>alert(1)</script> {MARK_START}mothers{MARK_END} & "sons"'
    html = str(highlighted(text))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<mark>mothers</mark>" in html
    assert "&amp; &quot;sons&quot;" in html


def test_stray_markers_in_someone_s_text_never_unbalance_the_html():
    html = str(highlighted(f"{MARK_END}a{MARK_START}{MARK_START}b"))
    assert html == "a<mark>b</mark>"


def test_trigram_similarity_is_pg_trgm_s():
    assert trigram_similarity("word", "word") == 1.0
    assert trigram_similarity("", "word") == 0.0
    # pg_trgm: similarity('word', 'two words') = 0.363636 (4 shared of 11 trigrams)
    assert round(trigram_similarity("word", "two words"), 4) == 0.3636
