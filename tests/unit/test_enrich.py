"""The enrich core on real text with the real model (loaded once per module)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
import spacy
from rich.console import Console

from newsflow.console import show
from newsflow.schemas import EnrichedArticle, NormalizedArticle
from newsflow.services.enrich import data
from newsflow.services.enrich.enrich import Enricher
from newsflow.services.enrich.mentions import clean_span
from newsflow.services.enrich.topics import TopicLexicon
from newsflow.services.errors import EnrichFailed
from newsflow.services.ingest.normalise import normalise_payload

PUTIN_STYLE = (
    b"Minister Hana Novak resigns over rail contract\n\n"
    b"Her departure follows weeks of pressure from coalition partners\n\n"
    b"Czech transport minister Hana Novak resigned on Friday after prosecutors in Prague opened "
    b"an inquiry into a rail contract awarded to Skoda Transportation.\n\n"
    b"Ms Novak's resignation was accepted by Prime Minister Petr Fiala, who said Mrs Novak had "
    b"acted honourably.\n\n"
    b'Novak denied wrongdoing. "I have nothing to hide," Ms Novak told reporters in Prague.\n\n'
    b"Workers clear the tracks near Prague on Friday. Jan Horak / CTK / Reuters"
)


@pytest.fixture(scope="module")
def enricher() -> Enricher:
    return Enricher()


@pytest.fixture(scope="module")
def novak(enricher: Enricher) -> EnrichedArticle:
    return enricher.enrich(normalise_payload(PUTIN_STYLE))


def test_mentions_round_trip(novak: EnrichedArticle) -> None:
    fields = {"title": novak.title, "standfirst": novak.standfirst}
    for e in novak.entities:
        for m in e.mentions:
            source = fields[m.field] if isinstance(m.field, str) else novak.body[m.field].text
            assert source[m.start : m.end] == m.text


def test_one_entity_per_person_with_full_name(novak: EnrichedArticle) -> None:
    people = [e for e in novak.entities if e.type == "PERSON"]
    names = [e.name for e in people]
    assert "Hana Novak" in names
    assert not {"Novak", "Ms Novak", "Novak's", "Mrs Novak"} & set(names)
    hana = next(e for e in people if e.name == "Hana Novak")
    assert hana.count >= 5
    assert {m.text for m in hana.mentions} >= {"Hana Novak", "Novak"}


def test_honorifics_and_possessives_are_not_names(novak: EnrichedArticle) -> None:
    for e in novak.entities:
        for m in e.mentions:
            assert not m.text.startswith(("Ms ", "Mrs ", "Mr ", "Prime Minister ", "the "))
            assert not m.text.endswith(("'s", "’s"))


def test_caption_credits_are_never_entities(novak: EnrichedArticle) -> None:
    assert novak.captions and novak.captions[0].credit == "Jan Horak / CTK / Reuters"
    assert all("Horak" not in e.name for e in novak.entities)


def test_salience_sorted_and_bounded(novak: EnrichedArticle) -> None:
    sal = [e.salience for e in novak.entities]
    assert sal == sorted(sal, reverse=True)
    assert all(0.0 <= s <= 1.0 for s in sal)
    assert novak.entities[0].name == "Hana Novak"


def test_topics_and_models(novak: EnrichedArticle) -> None:
    assert "11000000" in {t.code for t in novak.topics}  # politics
    assert {m.name for m in novak.models} == {
        "newsflow/ner", "newsflow/entity-rules", "newsflow/topic-coarse",
        "newsflow/iptc-lexicon",
    }  # fmt: skip


def test_samples_topics(enricher: Enricher, samples: Path) -> None:
    lines = (samples / "wire-envelopes.jsonl").read_bytes().splitlines()
    cycling = enricher.enrich(normalise_payload(lines[1]))
    assert cycling.topics[0].label == "sport"
    strike = enricher.enrich(
        normalise_payload((samples / "rotterdam-dock-strike.txt").read_bytes())
    )
    assert "labour" in {t.label for t in strike.topics}
    assert "Marieke van Dijk" in {e.name for e in strike.entities}  # "Ms van Dijk" resolved


class _Exploding(Enricher):
    def _assemble(self, article, fields, mentions, budget):  # type: ignore[no-untyped-def]  # pytest injects the fixture
        if article.title.startswith("Boom"):
            raise RuntimeError("injected")
        return super()._assemble(article, fields, mentions, budget)


def test_one_failure_does_not_stop_the_batch(enricher: Enricher) -> None:
    exploding = _Exploding(nlp=enricher.nlp)
    ok = normalise_payload(PUTIN_STYLE)
    bad = NormalizedArticle.model_validate({**ok.model_dump(), "title": "Boom goes the model"})
    results = exploding.enrich_many([ok, bad, ok])
    assert isinstance(results[0], EnrichedArticle)
    assert isinstance(results[1], EnrichFailed)
    assert "RuntimeError: injected" in results[1].reason
    assert isinstance(results[2], EnrichedArticle)


@pytest.mark.parametrize(
    ("text", "label", "expected"),
    [
        ("Mr de Mistura", "ORG", ("de Mistura", "PERSON")),
        ("President Bashar Al Assad's", "PERSON", ("Bashar Al Assad", "PERSON")),
        ("the UN Security Council", "ORG", ("UN Security Council", "ORG")),
        ("The Hague", "GPE", ("The Hague", "GPE")),
        ("General Motors", "ORG", ("General Motors", "ORG")),
        ("U.S.", "GPE", ("U.S.", "GPE")),
        ("Mr", "PERSON", ("Mr", "PERSON")),
    ],
)
def test_clean_span(text: str, label: str, expected: tuple[str, str]) -> None:
    m = clean_span(text, 0, len(text), label, "title")
    assert m is not None
    assert (m.text, m.label) == expected
    assert text[m.start : m.end] == m.text


def test_headline_subject_first_and_places_carry_countries(novak: EnrichedArticle) -> None:
    assert novak.entities[0].name == "Hana Novak"
    places = {e.name: e.country for e in novak.entities if e.type == "GPE"}
    assert places.get("Prague") == "CZ"
    czech = [e for e in novak.entities if e.name == "Czech"]
    assert all(e.type == "NORP" and e.country == "CZ" for e in czech)


def test_second_level_topics_only_under_their_parent(enricher: Enricher) -> None:
    article = normalise_payload(
        b"Troops advance as war enters third year\n\n"
        b"Airstrikes and shelling hit the frontline overnight\n\n"
        b"The army said its troops had pushed the offensive forward after airstrikes, as the war "
        b"between the two countries entered its third year. Shelling continued along the "
        b"frontline and military officials said the battle for the city was not over.\n\n"
        b"The invasion began three years ago. Soldiers and tanks crossed the border at dawn."
    )
    topics = {t.code: t.score for t in enricher.enrich(article).topics}
    assert "16000000" in topics and "20000062" in topics  # conflict > war
    assert topics["20000062"] <= topics["16000000"]
    parents = TopicLexicon.load().parents  # a narrower Media Topic -> its top-level code
    for code in topics:
        assert code.endswith("000000") or parents[code] in topics


def test_narrower_topics_are_media_topics_under_their_top_level_code() -> None:
    """Codes and labels of the IPTC Media Topics scheme (medtop), not the legacy Subject Codes
    (16009000 for war): checked against a few concepts of the scheme, copied here."""
    lexicon = TopicLexicon.load()
    scheme = {"20000062": ("war", "16000000"), "20000574": ("election", "11000000"),
              "20001065": ("football", "15000000"), "20000639": ("diplomacy", "11000000")}  # fmt: skip
    for code, (label, top) in scheme.items():
        assert (lexicon.labels[code], lexicon.parents[code]) == (label, top)
    assert all(code.startswith("2000") for code in lexicon.parents)


def test_the_shipped_ner_model_records_its_data_and_licences(enricher: Enricher) -> None:
    meta = enricher.nlp.meta
    assert meta["name"] == "ner" and meta["version"]
    sources = " ".join(s["name"] + " " + s["license"] for s in meta["sources"])
    assert "CoNLL-2003" in sources and "BBC" in sources and "research" in sources
    assert {"PERSON", "ORG", "GPE", "NORP", "FAC"} <= set(meta["labels"]["ner"])


def test_console_panel_shows_types_and_country_codes(novak: EnrichedArticle) -> None:
    console = Console(record=True, width=200)
    show(console, novak)
    text = console.export_text()
    assert "Hana Novak PERSON" in text and "Prague GPE CZ" in text


LINDQVIST = (
    b"Lindqvist orders withdrawal of Swedish troops from Mali\n\n"
    b"The Swedish prime minister's order for most of Stockholm's forces to leave came as she "
    b"visited the Gao camp in Mali's north\n\n"
    b"Swedish prime minister Karin Lindqvist ordered most of Stockholm's forces in Mali to start "
    b"withdrawing on Monday, as she held talks with president Assimi Goita on a visit to "
    b"Sweden's Malian base.\n\n"
    b"The visit marked Ms Lindqvist's first trip to Mali and comes as Mr Goita's government has "
    b"asked foreign forces to leave.\n\n"
    b"Sweden has kept about 250 soldiers in Mali since 2015 as part of a UN mission. "
    b"Ms Lindqvist said Swedish engineers would stay until the end of the year.\n\n"
    b"Mr Goita thanked Sweden. Swedish officials said the withdrawal would take six months."
)


def test_headline_subject_missed_by_the_model_is_still_found_and_ranks_first(
    enricher: Enricher,
) -> None:
    article = enricher.enrich(normalise_payload(LINDQVIST))
    top = article.entities[0]
    assert top.name == "Karin Lindqvist"
    assert "title" in {m.field for m in top.mentions}
    by_name = {e.name: e for e in article.entities}
    assert by_name["Mali"].country == "ML" and by_name["Sweden"].country == "SE"
    assert "Malian" not in by_name and "Swedish" not in by_name  # mentions of their countries
    assert {m.type for m in by_name["Sweden"].mentions} == {None, "NORP"}
    assert [e.name for e in article.entities[:3]] == ["Karin Lindqvist", "Mali", "Sweden"]


def test_rules_name_well_known_events(enricher: Enricher) -> None:
    article = enricher.enrich(
        normalise_payload(
            b"Solberg wins mountain stage\n\n"
            b"Erik Solberg won the 14th stage of the Tour de France on Sunday, a year after "
            b"finishing fourth at the Olympic Games."
        )
    )
    kinds = {e.name: e.type for e in article.entities}
    assert kinds.get("Tour de France") == "EVENT" and kinds.get("Olympic Games") == "EVENT"


def test_utf16_offsets_slice_every_mention_after_emoji(enricher: Enricher) -> None:
    """A JavaScript or Java subscriber slices UTF-16 strings: after an emoji (one code point,
    two UTF-16 units) the code-point offsets are off by one, the UTF-16 ones are not."""
    article = enricher.enrich(normalise_payload(
        "Merkel 🇩🇪 meets Macron 🇫🇷 in Paris\n\n"
        "German Chancellor Angela Merkel 😀 met French President Emmanuel Macron in Paris on "
        "Monday 🎉 to discuss the European Union budget with Ursula von der Leyen.".encode()
    ))  # fmt: skip
    fields = {"title": article.title, "standfirst": article.standfirst or ""}
    fields.update({i: p.text for i, p in enumerate(article.body)})  # type: ignore[misc]
    mentions = [m for e in article.entities for m in e.mentions]
    assert any(m.start_utf16 != m.start for m in mentions)  # the emoji moved some
    for m in mentions:
        units = fields[m.field].encode("utf-16-le")
        assert m.start_utf16 is not None and m.end_utf16 is not None
        assert units[2 * m.start_utf16 : 2 * m.end_utf16].decode("utf-16-le") == m.text
        assert fields[m.field][m.start : m.end] == m.text


def test_places_carry_their_geonames_id_and_a_citys_coordinates(enricher: Enricher) -> None:
    article = enricher.enrich(normalise_payload(
        b"Dock strike spreads from Rotterdam\n\nDock workers in Rotterdam walked out on Monday, "
        b"and unions in France said they would join them. Officials in Texas were watching."
    ))  # fmt: skip
    places = {e.name: e for e in article.entities}
    rotterdam = places["Rotterdam"]
    assert (rotterdam.geonames_id, rotterdam.country) == (2747891, "NL")
    assert rotterdam.latitude == pytest.approx(51.92, abs=0.01)
    assert rotterdam.longitude == pytest.approx(4.48, abs=0.01)
    france = places["France"]  # a country: its id, no single point
    assert (france.geonames_id, france.latitude, france.longitude) == (3017382, None, None)
    assert places["Texas"].geonames_id == 4736286  # a US state
    assert all(e.geonames_id is None for e in article.entities if e.type == "PERSON")


def test_a_long_running_worker_does_not_keep_every_new_word(enricher: Enricher) -> None:
    """The words of an article the vocabulary did not know are freed after it (spaCy's memory
    zone): a worker reading news for months would otherwise keep every name and number."""
    strings = enricher.nlp.vocab.strings

    people = ["Quellbrandt", "Morvatsky", "Endrigast", "Tolvaneri", "Brakesund", "Ulvermoor"]

    def story(k: int) -> NormalizedArticle:
        name = people[k]
        return normalise_payload(
            f"Minister {name} resigns\n\nJan {name}, who led the Social Democrats since "
            f"{1990 + k}, said on Monday in Oslo that he would step down. {name} told "
            f"reporters he was proud of his record.".encode()
        )

    before = len(strings)
    batch = enricher.enrich_many([story(k) for k in range(5)])
    single = enricher.enrich(story(5))
    assert len(strings) == before
    # the names were read all the same, from text copied out of the zone
    found = [
        {e.name for e in a.entities} for a in [*batch, single] if isinstance(a, EnrichedArticle)
    ]
    assert [f"Jan {name}" in names for name, names in zip(people, found, strict=True)] == [True] * 6


def test_the_tokenizer_is_warmed_with_a_bounded_list_that_changes_no_token(
    enricher: Enricher,
) -> None:
    """The commonest chunks of news are tokenised once at load, outside the memory zone, so
    the tokenizer keeps them cached (in the zone it caches nothing): a fixed list, as large as
    the cache, that adds a bounded number of strings and tokenises exactly as a cold model."""
    chunks = data.read_text("common_chunks.txt").splitlines()
    assert chunks[0].startswith("# ")
    assert len(chunks[1:]) == 10_000
    assert all(c and not any(ch.isspace() for ch in c) for c in chunks[1:])
    with resources.as_file(data.FOLDER.joinpath("ner")) as shipped:
        cold = spacy.load(shipped)
    warm = enricher.nlp
    assert 0 < len(warm.vocab.strings) - len(cold.vocab.strings) < 2_000
    text = (
        'The minister said, "We\'ll see." Shares of Acme Corp. rose 3.5% to $12.40 on Monday; '
        "U.S. officials (and the E.U.'s) were not available for comment - the firm's CEO wasn't."
    )
    with warm.memory_zone():
        warm_tokens = [t.text for t in warm.tokenizer(text)]
    assert warm_tokens == [t.text for t in cold.tokenizer(text)]
