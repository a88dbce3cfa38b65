"""The language gate (issue 13): ingest takes the language from the text, the markup's or the
feed's only as a hint; the enrich stage runs its English models on English articles only, and
an article in another language is published with no entities and no topics, ``models`` saying
why. The articles are invented for these tests."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import orjson
import pytest
from spacy.tokens import Doc

from newsflow.schemas import EnrichedArticle, ModelInfo, NormalizedArticle, RawArticle
from newsflow.services.budget import Budget
from newsflow.services.enrich.enrich import Enricher, english_only
from newsflow.services.enrich.handler import EnrichHandler
from newsflow.services.ingest import language
from newsflow.services.ingest.html import parse_html
from newsflow.services.ingest.language import identify
from newsflow.services.ingest.normalise import normalise_article
from newsflow.services.routing import Coordinates

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


def test_plain_english_is_told_without_lingua(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each chunk of the English story passes the screen: lingua is not asked.
    def no_lingua() -> None:
        raise AssertionError("lingua was asked")

    monkeypatch.setattr(language, "_detector", no_lingua)
    assert identify([ENGLISH[0], *ENGLISH[1]]) == "en"
    assert language.support([ENGLISH[0], *ENGLISH[1]]).shares == {"en": 1.0}


@pytest.mark.parametrize(
    "chunk",
    [
        " ".join(GERMAN[1]),
        " ".join(FRENCH[1]),
        # English words in another script's text are not plain English
        "서울시는 내년 상반기부터 심야 자율주행 버스 노선을 세 개 더 늘린다고 밝혔다. " * 3
        + "The city said that it would add three routes, which were tested for a year.",
        # code: English keywords, few different ones
        "E580: :endif ohne :if E581: :else ohne :if E582: :elseif ohne :if E583: Mehrere "
        ":else E584: :elseif nach :else E585: :while/:for Schachtelung zu tief :if :while",
        "The Sun sets, Red Sox win",  # too short to screen: lingua decides
    ],
    ids=["de", "fr", "ko+en", "code", "short"],
)
def test_the_screen_passes_only_plain_english(chunk: str) -> None:
    assert not language.plainly_english(chunk)


def test_the_screen_passes_plain_english() -> None:
    # two paragraphs, a chunk as support() cuts them (about 300 characters)
    assert language.plainly_english(" ".join(ENGLISH[1][:2]))
    assert language.plainly_english(" ".join(ENGLISH[1][2:]))
    assert language.plainly_english(" ".join(MIXED[1][:2]))
    assert not language.plainly_english(" ".join(MIXED[1][2:]))


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


# Enrich: English models on English articles only


@pytest.fixture(scope="module")
def enricher() -> Enricher:
    return Enricher()


@pytest.fixture
def piped(enricher: Enricher, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every text the NER model is given."""
    seen: list[str] = []
    pipe = enricher.nlp.pipe

    def spy(texts: Iterable[str], batch_size: int | None = None) -> Iterator[Doc]:
        texts = list(texts)
        seen.extend(texts)
        return pipe(texts, batch_size=batch_size)

    monkeypatch.setattr(enricher.nlp, "pipe", spy)
    return seen


def assert_not_applied(enriched: EnrichedArticle, language: str) -> None:
    assert enriched.entities == []
    assert enriched.topics == []
    reason = f"language {language}: the English models are not applied"
    assert enriched.models and all(
        (m.applied, m.reason) == (False, reason) for m in enriched.models
    )
    assert {m.name for m in enriched.models} >= {"newsflow/ner", "newsflow/topic-coarse"}


NOT_ENGLISH = [(GERMAN, "de"), (FRENCH, "fr"), (KOREAN, "ko")]


@pytest.mark.parametrize(("text", "code"), NOT_ENGLISH, ids=["de", "fr", "ko"])
def test_german_french_korean_get_no_english_model_entities(
    enricher: Enricher, piped: list[str], text: tuple[str, list[str]], code: str
) -> None:
    article = from_html("en", *text)  # whatever the markup says
    assert article.language == code
    enriched = enricher.enrich(article)
    assert_not_applied(enriched, code)
    assert piped == []  # the model never saw the text
    # Published as it came: the normalised article is all there.
    rest = enriched.model_dump(exclude={"entities", "topics", "models"})
    assert NormalizedArticle.model_validate(rest) == article


def test_the_gate_is_not_vacuous(enricher: Enricher) -> None:
    """Given the German article as English, the English NER finds 'entities' in it: the junk
    the gate keeps out."""
    german = from_text(*GERMAN).model_copy(update={"language": "en"})
    assert enricher.model_mentions([german])[0]


def test_the_batched_path_skips_them_too(enricher: Enricher, piped: list[str]) -> None:
    articles = [from_text(*t) for t, _ in NOT_ENGLISH] + [from_text(*ENGLISH)]
    found = enricher.model_mentions(articles)
    assert found[:3] == [[], [], []] and found[3]
    assert piped and all(t in ENGLISH[1] or t == ENGLISH[0] for t in piped)
    results = enricher.enrich_many(articles)
    for result, (_, code) in zip(results[:3], NOT_ENGLISH, strict=True):
        assert isinstance(result, EnrichedArticle)
        assert_not_applied(result, code)
    english = results[3]
    assert isinstance(english, EnrichedArticle) and english.entities and english.topics


def test_the_handler_publishes_them(enricher: Enricher, piped: list[str]) -> None:
    handler = EnrichHandler(enricher)
    values = [from_text(*t).model_dump_json().encode() for t, _ in NOT_ENGLISH]
    messages = [(v, None, Coordinates("articles.normalized", 0, i)) for i, v in enumerate(values)]
    handler.prepare(messages)
    assert piped == []
    for (value, key, at), (_, code) in zip(messages, NOT_ENGLISH, strict=True):
        routed = handler(value, key, at, Budget(10.0))
        assert routed.destination == "enriched"
        assert_not_applied(EnrichedArticle.model_validate_json(routed.value), code)


def test_an_english_article_still_gets_entities_and_topics(enricher: Enricher) -> None:
    enriched = enricher.enrich(from_html("de", *ENGLISH))
    assert enriched.language == "en"
    names = {e.name for e in enriched.entities}
    assert {"Rotterdam", "Lotte Vermeer"} <= names
    assert enriched.topics
    assert all(m.applied and m.reason is None for m in enriched.models)


def test_an_unknown_language_is_asked_of_the_text() -> None:
    """language None (a producer that does not detect it, or a text ingest could not tell):
    the English models run unless the text is in another language."""

    def unknown(text: tuple[str, list[str]]) -> NormalizedArticle:
        return from_text(*text).model_copy(update={"language": None})

    assert english_only(unknown(ENGLISH)) is None
    assert english_only(unknown(("Liverpool 2-1 Chelsea", ["Salah scores twice."]))) is None
    assert english_only(unknown(MIXED)) is None  # a quarter of it or more is English
    assert english_only(unknown(GERMAN)) == (
        "language unknown and the text reads as de: the English models are not applied"
    )
    assert english_only(unknown(KOREAN)) == (
        "language unknown and the text reads as ko: the English models are not applied"
    )
    # Too short for lingua to tell Macedonian from Ukrainian, but not English either.
    assert english_only(unknown(("Новини дня", ["Вести"]))) == (
        "language unknown and the text is not in Latin letters: the English models are not applied"
    )


def test_an_unknown_german_article_gets_no_entities(enricher: Enricher) -> None:
    german = from_text(*GERMAN).model_copy(update={"language": None})
    enriched = enricher.enrich(german)
    assert enriched.entities == [] and enriched.topics == []
    assert all(not m.applied and m.reason and "reads as de" in m.reason for m in enriched.models)


def test_model_info_applied_and_reason() -> None:
    old = orjson.loads(b'{"name": "newsflow/ner", "version": "1.0.0"}')  # before the fields
    assert ModelInfo.model_validate(old) == ModelInfo(
        name="newsflow/ner", version="1.0.0", applied=True, reason=None
    )
    with pytest.raises(ValueError, match="no reason"):
        ModelInfo(name="newsflow/ner", version="1.0.0", applied=False)
