"""Entity grouping, salience, countries and relabelling, on hand-made mentions (no model)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest
import spacy
from spacy.tokens import Doc, Span
from spacy.training import Example

from newsflow.schemas.enriched import EntityType, FieldRef
from newsflow.services.enrich.entities import build_entities
from newsflow.services.enrich.mentions import RawMention, clean_span, propagate
from newsflow.services.enrich.places import (
    alternate_country,
    country_code,
    country_named,
    demonym_country,
    is_major_place,
)


def mention(field: FieldRef, text: str, label: EntityType, start: int = 0) -> RawMention:
    return RawMention(field, start, start + len(text), text, label, honorific=False)


def test_places_resolve_countries_and_cities_to_iso_codes() -> None:
    assert country_code("Russia") == "RU"
    assert country_code("Russian Federation") == "RU"
    assert country_code("the UK") == "GB"
    assert country_code("Türkiye") == country_code("Turkey") == "TR"
    assert country_code("Geneva") == "CH"  # a city: the country it is in
    assert country_code("Paris") == "FR"  # the most populous of its namesakes
    assert country_code("Gondor") is None
    assert country_named("Geneva") is None and country_named("Syria") == "SY"
    assert demonym_country("Russian") == "RU" and demonym_country("French") == "FR"
    assert is_major_place("Rotterdam") and not is_major_place("Florence")


def test_headline_subject_ranks_first_and_salience_is_bounded() -> None:
    mentions = [
        mention("title", "Novak", "PERSON", 0),
        mention("title", "Prague", "GPE", 20),
        mention(0, "Hana Novak", "PERSON"),
        mention(0, "Prague", "GPE", 40),
        mention(1, "Prague", "GPE"),
        mention(2, "Novak", "PERSON"),
    ]
    entities = build_entities(mentions, 3, limit=10)
    assert [e.name for e in entities] == ["Hana Novak", "Prague"]
    assert all(0.0 <= e.salience <= 1.0 for e in entities)
    assert entities[1].country == "CZ" and entities[0].country is None


def test_a_demonym_is_a_weak_mention_of_its_country_when_the_country_is_named() -> None:
    mentions = [
        mention("title", "Russian", "NORP", 10),
        mention(0, "Russia", "GPE"),
        mention(1, "Russian", "NORP"),
        mention(2, "Syrian", "NORP"),
    ]
    entities = {e.name: e for e in build_entities(mentions, 3, limit=10)}
    assert set(entities) == {"Russia", "Syrian"}
    russia = entities["Russia"]
    assert russia.count == 3 and russia.country == "RU"
    assert [m.type for m in russia.mentions] == ["NORP", None, "NORP"]  # reading order
    assert entities["Syrian"].type == "NORP" and entities["Syrian"].country == "SY"


def test_a_lone_big_city_typed_person_is_the_city_unless_titled() -> None:
    port = build_entities([mention(0, "Rotterdam", "PERSON")], 1, limit=5)
    assert (port[0].type, port[0].country) == ("GPE", "NL")
    titled = RawMention(0, 3, 10, "Jordan", "PERSON", honorific=True)
    assert build_entities([titled], 1, limit=5)[0].type == "PERSON"


def test_a_name_before_airbase_is_a_facility() -> None:
    text = "He visited the Hmeimim airbase and the Russian airbase."
    base = clean_span(text, 15, 22, "NORP", 0)
    assert base is not None and base.label == "FAC"
    russian = clean_span(text, 39, 46, "NORP", 0)
    assert russian is not None and russian.label == "NORP"


@pytest.mark.parametrize(
    ("text", "start", "end", "whole"),
    [
        ("Climbers died on Table Mountain on Sunday.", 17, 22, "Table Mountain"),
        ("Fires spread along the Gold Coast overnight.", 23, 27, "Gold Coast"),
        ("Shipping on the Adriatic Sea was halted.", 16, 24, "Adriatic Sea"),
    ],
)
def test_a_span_stopping_short_of_its_natural_feature_takes_the_feature_word(
    text: str, start: int, end: int, whole: str
) -> None:
    """Every head word that makes a span a natural feature (and a LOC) also completes one the
    model cut before it: one list of heads for both."""
    m = clean_span(text, start, end, "GPE", 0)
    assert m is not None and text[m.start : m.end] == whole and m.label == "LOC"


def _tool(name: str) -> Any:
    path = Path(__file__).resolve().parents[2] / "tools" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _train_ner() -> object:
    return _tool("train_ner")


def test_ner_training_can_start_from_a_pretrained_token_layer(tmp_path: Path) -> None:
    """tools/train_ner.py --token-layer: the weights tools/pretrain_ner.py wrote go into the
    NER model's token layer once the pipeline is initialised (no path: left as initialised)."""
    train_ner = _tool("train_ner")
    config = spacy.util.load_config(train_ner.CONFIG, interpolate=False)
    nlp = spacy.util.load_model_from_config(config, auto_fill=True)
    example = Example.from_dict(nlp.make_doc("Ann Lee met Bob."), {"entities": [(0, 7, "PERSON")]})
    nlp.initialize(lambda: [example])  # runs the config's after_init: no token layer given
    layer = nlp.get_pipe("ner").model.get_ref("tok2vec").layers[0]
    initialised = {(n.id, name): n.get_param(name).copy()
                   for n in layer.walk() for name in n.param_names}  # fmt: skip
    for node in layer.walk():
        for name in node.param_names:
            node.set_param(name, node.get_param(name) + 1.0)
    pretrained = tmp_path / "token-layer.bin"
    pretrained.write_bytes(layer.to_bytes())
    for (node_id, name), value in initialised.items():  # back to the initialised weights
        next(n for n in layer.walk() if n.id == node_id).set_param(name, value)

    train_ner.token_layer(None)(nlp)
    assert all((n.get_param(k) == initialised[(n.id, k)]).all()
               for n in layer.walk() for k in n.param_names)  # fmt: skip
    train_ner.token_layer(str(pretrained))(nlp)
    assert all((n.get_param(k) == initialised[(n.id, k)] + 1.0).all()
               for n in layer.walk() for k in n.param_names)  # fmt: skip


def test_pretraining_text_is_the_paragraphs_of_reuters_story_bodies(tmp_path: Path) -> None:
    pretrain_ner = _tool("pretrain_ner")
    (tmp_path / "reut2-000.sgm").write_text(
        "<REUTERS><TEXT><TITLE>OPEC QUOTA</TITLE><BODY>Venezuela will back Ecuador's bid to "
        "raise its OPEC quota, the oil minister said on Monday.\n    Short line.\n    The "
        "ministers meet in Vienna next week to review output, officials said.\n Reuter\n"
        "\x03</BODY></TEXT></REUTERS>",
        encoding="latin-1",
    )
    assert pretrain_ner.reuters_paragraphs(tmp_path) == [
        "Venezuela will back Ecuador's bid to raise its OPEC quota, the oil minister said on "
        "Monday.",
        "The ministers meet in Vienna next week to review output, officials said.",
    ]


def test_ner_training_data_reads_iob1_and_types_gold_spans_with_the_teacher() -> None:
    train_ner: object = _train_ner()
    spans = train_ner._spans(["I-ORG", "O", "I-MISC", "O", "I-PER", "I-PER", "B-PER", "I-LOC"])  # type: ignore[attr-defined]  # see the line
    assert spans == [(0, 1, "ORG"), (2, 3, "MISC"), (4, 6, "PER"), (6, 7, "PER"), (7, 8, "LOC")]

    words = ["Leeds", "beat", "German", "side", "in", "Berlin", "at", "Euro", "96"]
    teacher = Doc(spacy.blank("en").vocab, words=words)
    teacher.ents = [Span(teacher, 0, 1, "GPE"), Span(teacher, 2, 3, "NORP"),
                    Span(teacher, 5, 6, "GPE")]  # fmt: skip
    gold = [(0, 1, "ORG"), (2, 3, "MISC"), (5, 6, "LOC"), (7, 9, "MISC")]
    ref = train_ner.merge(teacher, gold)  # type: ignore[attr-defined]  # see the line
    assert [(e.text, e.label_) for e in ref.ents] == [
        ("Leeds", "ORG"),  # the gold type wins: a club named after its city
        ("German", "NORP"),  # the teacher types a gold MISC span it found too
        ("Berlin", "GPE"),
    ]
    missing = [t.text for t in ref if t.ent_iob_ == ""]
    assert missing == ["Euro", "96"]  # a MISC the teacher cannot type: neither entity nor O


def test_leading_the_and_nationality_adjectives_are_trimmed_from_names() -> None:
    text = "The Department for Trade and Industry said Kenyan Bernard Lagat won in The Hague."

    def span(part: str) -> tuple[int, int]:
        return text.index(part), text.index(part) + len(part)

    dti = clean_span(text, *span("The Department for Trade and Industry"), "ORG", 0)
    assert dti is not None and dti.text == "Department for Trade and Industry"
    runner = clean_span(text, *span("Kenyan Bernard Lagat"), "PERSON", 0)
    assert runner is not None and runner.text == "Bernard Lagat"
    hague = clean_span(text, *span("The Hague"), "GPE", 0)
    assert hague is not None and hague.text == "The Hague"
    assert text[dti.start : dti.end] == dti.text and text[runner.start : runner.end] == runner.text


def test_names_found_once_are_found_again_where_the_model_missed_them() -> None:
    fields: list[tuple[FieldRef, str]] = [
        ("title", "Lindqvist meets Brown in May"),
        (0, "Karin Lindqvist met Gordon Brown on Monday. The brown fields were dry."),
        (1, "Lindqvist said Lindqvist-era rules stay."),
    ]
    found = [
        mention(0, "Karin Lindqvist", "PERSON", 0),
        mention(0, "Gordon Brown", "PERSON", 20),
    ]
    extra = propagate(found, fields)
    got = {(m.field, m.text) for m in extra}
    assert got == {("title", "Lindqvist"), (1, "Lindqvist")}  # not "Brown": "brown" is a word
    for m in extra:
        text = dict(fields)[m.field]
        assert text[m.start : m.end] == m.text and m.label == "PERSON"


def _names(mentions: list[RawMention], texts: dict[FieldRef, str] | None = None) -> dict[str, int]:
    return {e.name: e.count for e in build_entities(mentions, 3, limit=20, texts=texts)}


def test_one_country_under_its_names_is_one_entity() -> None:
    names = _names([mention(0, "U.S.", "GPE"), mention(0, "United States", "GPE", 10),
                    mention(1, "America", "GPE"), mention(1, "Britain", "GPE", 20),
                    mention(2, "UK", "GPE")])  # fmt: skip
    assert names == {"United States": 3, "Britain": 2}
    # the countries of the United Kingdom stay apart from it, and "British" is not England
    names = _names([mention(0, "England", "GPE"), mention(0, "Scotland", "GPE", 20),
                    mention(1, "U.K.", "GPE"), mention(2, "British", "NORP")])  # fmt: skip
    assert names == {"England": 1, "Scotland": 1, "U.K.": 2}


def test_an_acronym_the_article_defines_is_the_name_it_stands_for() -> None:
    text = "The Office for National Statistics (ONS) said prices rose. Nigeria (AP) - ."
    ons = text.index("ONS")
    mentions = [
        mention(0, "Office for National Statistics", "ORG", 4),
        mention(0, "ONS", "ORG", ons),
        mention(0, "Nigeria", "GPE", text.index("Nigeria")),
        mention(0, "AP", "ORG", text.index("AP")),
        mention(1, "ONS", "ORG"),
    ]
    names = _names(mentions, {0: text, 1: "ONS"})
    assert names["Office for National Statistics"] == 3 and "ONS" not in names
    assert "AP" in names and "Nigeria" in names  # "(AP)" does not stand for Nigeria
    assert "ONS" in _names(mentions)  # without the text nothing is said to be defined


def test_an_acronym_is_the_name_it_spells_out_or_is_defined_by() -> None:
    """Editors' reviews: "UKIP" apart from "UK Independence Party", "ICBC" from "Industrial and
    Commercial Bank (ICBC)" (of China, unwritten), "EC" from "the European Community, EC,".
    Two capitals without full stops are too short to tell ("AC routers", "Amazon Credit")."""
    texts: dict[FieldRef, str] = {
        0: "He quit the UK Independence Party. UKIP won 31% of the vote.",
        1: "Industrial and Commercial Bank (ICBC) made a profit.",
        2: "They held out little hope the European Community, EC, would act.",
        3: "The U.N. said the United Nations plan stands. AC routers on Amazon Credit deals.",
    }
    at = {ref: text.index for ref, text in texts.items()}
    mentions = [
        mention(0, "UK Independence Party", "ORG", at[0]("UK I")),
        mention(0, "UKIP", "ORG", at[0]("UKIP")),
        mention(1, "Industrial and Commercial Bank", "ORG", 0),
        mention(1, "ICBC", "ORG", at[1]("ICBC")),
        mention(2, "European Community", "ORG", at[2]("European")),
        mention(2, "EC", "ORG", at[2]("EC,")),
        mention(3, "U.N.", "ORG", at[3]("U.N.")),
        mention(3, "United Nations", "ORG", at[3]("United")),
        mention(3, "AC", "ORG", at[3]("AC")),
        mention(3, "Amazon Credit", "ORG", at[3]("Amazon")),
    ]
    names = _names(mentions, texts)
    assert names["UK Independence Party"] == 2 and "UKIP" not in names
    assert names["Industrial and Commercial Bank"] == 2 and "ICBC" not in names
    assert names["European Community"] == 2 and "EC" not in names
    assert names["United Nations"] == 2 and "U.N." not in names
    assert names["AC"] == 1 and names["Amazon Credit"] == 1


def test_an_acronym_defined_by_lower_case_words_is_a_term_not_a_name() -> None:
    """ "yen commercial paper, CP, from October": the model typed "CP" an organisation and it
    ranked first. An acronym whose lower-case words come before it is a term."""
    texts: dict[FieldRef, str] = {
        0: "The ministry will introduce yen commercial paper, CP, from October.",
        1: "Prices and gross domestic product (GDP) grew, the agency, NASA, said.",
        2: "CP issuance will be limited.",
    }
    mentions = [
        mention(0, "CP", "ORG", texts[0].index("CP")),
        mention(1, "GDP", "ORG", texts[1].index("GDP")),
        mention(1, "NASA", "ORG", texts[1].index("NASA")),
        mention(2, "CP", "ORG", 0),
    ]
    assert _names(mentions, texts) == {"NASA": 1}


@pytest.mark.parametrize(
    ("text", "name", "name_label", "acronym", "acronym_label", "expected"),
    [
        # "NLD" three times ORG over its spelled-out name once mistyped: the entity is ORG
        ("members of the National League for Democracy (NLD) said",
         "National League for Democracy", "EVENT", "NLD", "ORG", "ORG"),
        # an acronym typed PERSON does not make its programme a person
        ("companies with Commercial Lunar Payload Services (CLPS) contracts",
         "Commercial Lunar Payload Services", "ORG", "CLPS", "PERSON", "ORG"),
    ],
)  # fmt: skip
def test_the_form_an_article_uses_most_types_an_acronym_s_entity(
    text: str,
    name: str,
    name_label: EntityType,
    acronym: str,
    acronym_label: EntityType,
    expected: str,
) -> None:
    mentions = [mention(0, name, name_label, text.index(name))]
    mentions += [mention(0, acronym, acronym_label, text.index(f"({acronym})") + 1)]
    mentions += [mention(i, acronym, acronym_label) for i in (1, 2)]
    kinds = {e.name: e.type for e in build_entities(mentions, 3, limit=20, texts={0: text})}
    assert kinds == {name: expected}


def test_a_first_name_or_a_surname_before_jr_is_the_one_person_it_fits() -> None:
    names = _names([mention("title", "Xi", "PERSON"), mention(0, "Xi Jinping", "PERSON"),
                    mention(1, "Charles Evans Jr", "PERSON"), mention(1, "Evans", "PERSON", 30),
                    mention(2, "Taylor", "PERSON")])  # fmt: skip
    assert names == {"Xi Jinping": 2, "Charles Evans Jr": 2, "Taylor": 1}
    # two people it could be: it stays itself
    names = _names([mention(0, "Jason Robinson", "PERSON"), mention(1, "Jason Leonard", "PERSON"),
                    mention(2, "Jason", "PERSON")])  # fmt: skip
    assert names["Jason"] == 1


def test_an_organisation_only_cited_as_a_source_ranks_below_the_story_s_subjects() -> None:
    texts: dict[FieldRef, str] = {
        0: "Acme Corp cut 400 jobs, a spokesman told the BBC.",
        1: "Acme Corp said sales fell, the BBC reported. Acme Corp shares fell.",
    }

    def at(ref: int, part: str, nth: int = 0) -> RawMention:
        start = -1
        for _ in range(nth + 1):
            start = texts[ref].index(part, start + 1)
        return mention(ref, part, "ORG", start)

    mentions = [at(0, "Acme Corp"), at(0, "BBC"), at(1, "Acme Corp"), at(1, "BBC"),
                at(1, "Acme Corp", 1)]  # fmt: skip
    cited = {e.name: e.salience for e in build_entities(mentions, 2, limit=5, texts=texts)}
    plain = {e.name: e.salience for e in build_entities(mentions, 2, limit=5)}
    assert cited["BBC"] == pytest.approx(plain["BBC"] * 0.5, abs=1e-3)
    assert cited["Acme Corp"] == plain["Acme Corp"]  # named as an actor: unchanged


def test_two_capitals_are_a_country_s_or_a_us_state_s_code_not_a_town() -> None:
    assert country_code("WA") == country_code("PA") == "US"  # not Wa (Ghana), Pa (Burkina Faso)
    assert country_code("UK") == "GB"
    assert country_code("SE") is None  # not a state, and not the town "Se"
    assert country_code("Wa") == "GH"  # the town, written as a name


def test_news_names_of_countries_nationalities_and_the_seat_of_government() -> None:
    assert country_code("Republic of Congo") == "CG"  # beside "Republic of the Congo"
    assert country_code("S Korea") == "KR"  # a headline's short form
    # the UK's seat of government, not the larger Westminster in Colorado
    assert country_code("Westminster") == country_code("Whitehall") == "GB"
    assert demonym_country("Briton") == demonym_country("Britons") == "GB"
    assert demonym_country("South Koreans") == "KR"  # a plural by its singular
    assert demonym_country("Finn") is None  # a given name as often


def test_an_english_county_is_in_the_story_s_country_when_a_town_abroad_shares_its_name() -> None:
    """The gazetteer places a shared name by population ("Somerset" is a US town), and keeps
    the UK county as a second reading that the story's own country chooses; a county no town
    is named for is a place of its own."""
    assert country_code("Somerset") == "US" and alternate_country("Somerset") == "GB"
    assert country_code("Devon") == country_code("Buckinghamshire") == "GB"
    assert alternate_country("London") is None
    british = build_entities(
        [
            mention(0, "Somerset", "GPE"),
            mention(0, "London", "GPE", 20),
            mention(1, "Bristol", "GPE"),
            mention(1, "Somerset", "GPE", 20),
        ],
        2,
        limit=10,
    )
    assert {e.name: e.country for e in british} == {
        "Somerset": "GB",
        "London": "GB",
        "Bristol": "GB",
    }
    assert next(e for e in british if e.name == "Somerset").geonames_id is None
    american = build_entities(
        [
            mention(0, "Somerset", "GPE"),
            mention(0, "Boston", "GPE", 20),
            mention(1, "New Jersey", "GPE"),
        ],
        2,
        limit=10,
    )
    assert {e.name: e.country for e in american}["Somerset"] == "US"
    alone = build_entities([mention(0, "Somerset", "GPE")], 1, limit=10)
    assert alone[0].country == "US"  # no story country to choose by
