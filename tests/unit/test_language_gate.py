"""The language gate (issue 13): ingest takes the language from the text, the markup's or the
feed's only as a hint. The articles are invented for these tests."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from newsflow.schemas import NormalizedArticle, RawArticle
from newsflow.services.ingest.html import parse_html
from newsflow.services.ingest.language import identify
from newsflow.services.ingest.normalise import normalise_article

GERMAN = (
    "Bahnstreik legt den Fernverkehr in ganz Deutschland lahm",
    [
        "Die Gewerkschaft der Lokführer hat am Montagmorgen zu einem zweitägigen Streik "
        "aufgerufen. Nach Angaben der Deutschen Bahn fallen rund 80 Prozent der Fernzüge aus, "
        "auch im Regionalverkehr kommt es zu erheblichen Einschränkungen.",
        "Sie rät Reisenden, ihre Fahrten zu verschieben oder auf andere Verkehrsmittel "
        "auszuweichen. Ihre Fahrkarten behalten nach Angaben des Unternehmens ihre Gültigkeit.",
        "Bundesverkehrsminister Klaus Berger forderte beide Seiten auf, an den "
        "Verhandlungstisch zurückzukehren. Eine Kooperation sei im Interesse aller Fahrgäste, "
        "sagte er am Montag in Berlin.",
        "Die Gewerkschaft verlangt eine kürzere Wochenarbeitszeit bei vollem Lohnausgleich. Die "
        "Bahn lehnt das bislang ab und verweist auf den Mangel an Fachkräften.",
    ],
)
FRENCH = (
    "La Seine retrouve ses baigneurs après un siècle d'interdiction",
    [
        "Pour la première fois depuis 1923, les Parisiens ont pu se baigner dans la Seine samedi "
        "matin. Trois sites ont été ouverts au public entre le pont de Bercy et l'île "
        "Saint-Louis.",
        "La maire de Paris, Claire Dumont, a salué « un héritage concret des Jeux olympiques ». "
        "Elle a rappelé que plus d'un milliard d'euros avaient été investis dans "
        "l'assainissement du fleuve.",
        "Les analyses de la qualité de l'eau seront publiées chaque matin sur le site de la "
        "Ville. En cas de fortes pluies, la baignade pourra être suspendue sans préavis.",
        "Plusieurs associations de riverains restent prudentes et demandent des contrôles "
        "indépendants avant l'été prochain.",
    ],
)
KOREAN = (
    "서울시, 내년부터 심야 자율주행 버스 노선 확대",
    [
        "서울시는 내년 상반기부터 심야 자율주행 버스 노선을 세 개 더 늘린다고 12일 밝혔다. "
        "새 노선은 강남역과 홍대입구, 그리고 여의도를 잇는다.",
        "시 관계자는 지난 1년 동안 운행한 시범 노선에서 큰 사고가 한 건도 없었다고 설명했다. "
        "이용객은 하루 평균 200명을 넘었다.",
        "김민수 시장은 기자회견에서 자율주행 기술이 시민의 밤길을 더 안전하게 만들 것이라고 "
        "말했다. 다만 일부 전문가들은 안전 요원의 배치가 계속 필요하다고 지적했다.",
    ],
)
ENGLISH = (
    "Dock strike halts container traffic in Rotterdam",
    [
        "Dock workers at the port of Rotterdam walked out on Monday, halting container traffic "
        "at Europe's largest port for the first time in a decade.",
        "The FNV union said the strike would last 48 hours unless Hutchison Ports agreed to "
        "talks on automation and job security.",
        "Ships queued in the North Sea as the Port of Rotterdam Authority warned of delays to "
        "deliveries across the Netherlands and Germany.",
        "Dutch economy minister Lotte Vermeer urged both sides to return to the table, "
        "saying in The Hague that a long dispute would hurt exporters.",
    ],
)
MIXED = (  # half English, half German: two paragraphs of each story
    "Public notice: the bridge closes for repairs",
    [
        *ENGLISH[1][:2],
        *GERMAN[1][:2],
    ],
)


def page(lang: str | None, title: str, paragraphs: Iterable[str]) -> str:
    attr = f' lang="{lang}"' if lang else ""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f'<!doctype html><html{attr}><head><meta charset="utf-8"><title>{title}</title></head>'
        f"<body><article><h1>{title}</h1>{body}</article></body></html>"
    )


def from_html(lang: str | None, title: str, paragraphs: Iterable[str]) -> NormalizedArticle:
    html = page(lang, title, paragraphs)
    return normalise_article(RawArticle(source="test", content=html, content_type="text/html"))


def from_text(title: str, paragraphs: Iterable[str], **metadata: object) -> NormalizedArticle:
    text = "\n\n".join([title, *paragraphs])
    return normalise_article(RawArticle(source="test", content=text, metadata=metadata))


# Ingest: the text decides; the markup's or the feed's language is a hint


def test_a_german_page_marked_english_is_german() -> None:
    assert from_html("en", *GERMAN).language == "de"


def test_an_english_page_marked_german_is_english() -> None:
    assert from_html("de", *ENGLISH).language == "en"


@pytest.mark.parametrize(
    ("text", "code"), [(GERMAN, "de"), (FRENCH, "fr"), (KOREAN, "ko"), (ENGLISH, "en")]
)
def test_the_text_alone_tells_its_language(text: tuple[str, list[str]], code: str) -> None:
    assert from_text(*text).language == code
    assert from_html(None, *text).language == code


def test_a_very_short_text_takes_the_markup_hint() -> None:
    # A headline and one line: lingua alone says Spanish (0.56), the page says Portuguese.
    short = ("Greve nos portos", ["Navios esperam ao largo."])
    assert identify([short[0], *short[1]]) is None
    assert from_html("pt", *short).language == "pt"
    assert from_html("es", "Liverpool 2-1 Chelsea", ["Salah marca dos goles."]).language == "es"
    assert from_html("en", "Liverpool 2-1 Chelsea", ["Salah scores twice."]).language == "en"


def test_a_very_short_text_takes_the_feed_hint_and_says_so() -> None:
    a = from_text("Greve nos portos", ["Navios esperam ao largo."], language="pt")
    assert (a.language, a.provenance["language"]) == ("pt", "feed")
    b = from_text(*GERMAN, language="en")  # the text overrules the feed: not the feed's value
    assert (b.language, b.provenance["language"]) == ("de", "extracted")


def test_a_hint_in_another_script_is_not_taken() -> None:
    # A Korean headline under a template's lang="en" is not English, however short.
    assert from_html("en", "서울 지하철 파업", ["출근길 혼잡 예상"]).language == "ko"


def test_a_mixed_text_takes_a_hint_only_for_a_language_in_it() -> None:
    texts = [MIXED[0], *MIXED[1]]
    assert identify(texts) is None  # half English, half German: neither decides
    assert identify(texts, "de") == "de"
    assert identify(texts, "en") == "en"
    assert identify(texts, "fr") is None  # no French in it


def test_the_page_declares_its_language_in_the_head_too() -> None:
    html = page(None, *ENGLISH).replace(
        "<head>", '<head><meta property="og:locale" content="pt_BR">'
    )
    assert parse_html(html).language == "pt"
    html = page(None, *ENGLISH).replace(
        "<head>", '<head><meta http-equiv="Content-Language" content="nl-BE, fr-BE">'
    )
    assert parse_html(html).language == "nl"
    assert parse_html(page("EN-gb", *ENGLISH)).language == "en"
