"""Site chrome that scrapers leave in the text: navigation, prompts, share lines, bylines,
datelines, "Read more" blocks, caption credits. Every rule here works on one short line and
uses bounded patterns, so cost stays linear in the input."""

from __future__ import annotations

import re

from newsflow.services.ingest.cleantext import clean_line

MAX_CHROME_WORDS = 30  # prefix rules only ever apply to lines shorter than this

_CHROME_EXACT = frozenset(
    {
        "editor's picks", "editors picks", "editor’s picks", "editors' picks", "sign up to",
        "sign up", "please select one", "most read", "most popular", "most viewed",
        "most shared", "advertisement", "advertising", "sponsored", "sponsored content",
        "share", "share this", "share this article", "share this story", "share on facebook",
        "share on twitter", "share via email", "tweet", "print", "email", "print this article",
        "follow us", "comments", "show comments", "trending", "trending now", "recommended",
        "recommended for you", "you may also like", "you might also like", "skip to main content",
        "skip to content", "subscribe", "newsletter", "newsletters", "sign in", "log in",
        "register", "menu", "search", "close", "back to top", "top stories", "more stories",
        "latest news", "related topics", "topics", "tags", "listen to this article", "save",
        "copy link", "link copied", "whatsapp", "facebook", "twitter", "linkedin", "reddit",
        "home", "homepage", "next article", "previous article", "load more", "show more",
        "reuter",  # the wire's sign-off under every story (1980s Reuters copy)
    }
)  # fmt: skip
_CHROME_PREFIXES = (
    "sign up to ", "sign up for ", "subscribe to ", "subscribe now", "follow us on ",
    "follow us @", "we use cookies", "this site uses cookies", "this website uses cookies",
    "by continuing to use", "accept all cookies", "manage cookies", "cookie settings",
    "cookie policy", "copyright ", "copyright©", "©", "(c) ", "all rights reserved",
    "click here to ", "download our app", "download the app", "get the latest ", "join our ",
    "support our journalism", "reporting by ", "additional reporting by ", "editing by ",
    "writing by ", "our standards:", "share this article", "share on ", "read the full ",
    "listen to this article", "advertisement", "sign up to our", "enter your email",
    "thank you for subscribing", "you have been subscribed", "have your say",
)  # fmt: skip
_CREDIT_PREFIXES = ("reporting by ", "additional reporting by ", "editing by ", "writing by ",
                    "compiled by ", "produced by ", "contributing:")  # fmt: skip
_CONTRIBUTED = re.compile(r"\bcontributed (?:to this (?:report|story|article)|reporting)\.?\)?$")
_MINUTE_READ = re.compile(r"^\d{1,3}\s*(?:min|mins|minute|minutes)\s+read$")
_BULLETS = " *•·-–—|>"

READ_MORE_KEYS = frozenset({"read more", "related", "see also", "related articles",
                            "related stories", "more on this story", "read next"})  # fmt: skip
_READ_MORE_INLINE = re.compile(
    r"^(?:read more|related|see also|read next)\s*:\s*(\S.{0,300})$", re.I
)

_DATE_LINE = re.compile(
    r"^(?P<kind>last updated|updated|first published|published|posted|last modified|modified)"
    r"(?:\s+(?:on|at))?\s*:?\s*(?P<date>\S.{0,79})$",
    re.IGNORECASE,
)
_BYLINE = re.compile(
    r"^(?:by|words by|written by|story by)\s+(?P<names>\S.{0,200})$", re.IGNORECASE
)
_ROLE_LINE = re.compile(
    r"^(?P<name>[A-Z][\w'’.-]{0,30}(?: [A-Za-z][\w'’.-]{0,30}){1,3}),\s+"
    r"(?P<role>(?:[A-Z][\w-]{0,20}\s+){0,4}"
    r"(?:Correspondent|Editor|Reporter|Writer|Columnist|Chief|Analyst|Contributor|Staff))$"
)
_NAME_PARTICLES = frozenset({"de", "da", "del", "van", "von", "der", "den", "al", "el", "bin",
                             "ibn", "le", "la", "du", "dos", "di", "ben", "abu", "st"})  # fmt: skip
_NOT_PEOPLE = frozenset({"reuters", "afp", "ap", "associated press", "staff", "agencies",
                         "our correspondent", "the associated press", "bloomberg", "pa",
                         "press association", "wam", "xinhua", "staff reporter", "published",
                         "updated", "minute read", "min read"})  # fmt: skip
_DATELINE = re.compile(
    r"^(?P<place>[A-Z][A-Z.'’ ]{1,40}?)(?:,\s*[A-Z][A-Za-z0-9.'’ ]{1,30}?)?\s*"
    r"(?:\((?P<agency>[A-Za-z .&]{2,30})\))?\s*[-–—]{1,2}\s+(?=\S)"
)

# Photo credits: "... 2017. Michael Klimentyev / Pool / Kremlin / Sputnik / EPA"
_AGENCY_TAIL = re.compile(
    r"(?:^|[\s/(])(?:EPA|AFP|AP|Reuters|Getty Images|Getty|PA|PA Wire|Bloomberg|Shutterstock|Alamy"
    r"|Sputnik|Xinhua|Anadolu|WAM|Pool|Corbis|Rex|Rex Features|NurPhoto|SOPA Images"
    r"|The National|Courtesy)\)?$"
)
_CREDIT_LEAD = re.compile(r"^(?:photo|photograph|picture|image|credit|photo credit)s?\s*:\s*", re.I)
_SENTENCE_END = re.compile(r"[.!?][\"”’)]?\s+(?=[A-Z])")
MAX_CREDIT_WORDS = 14


def key(line: str) -> str:
    """The comparable form of a short line: case-folded, bullets and trailing colons off."""
    return line.strip(_BULLETS).rstrip(" :").strip().casefold()


def word_count(line: str) -> int:
    return len(line.split())


def is_chrome(line: str) -> bool:
    if word_count(line) > MAX_CHROME_WORDS:
        return False
    k = key(line)
    if k in _CHROME_EXACT or _MINUTE_READ.match(k):
        return True
    # a story's credits, often in brackets: "(Reporting by ...; Editing by ...)", "Contributing:
    # Jane Doe", "Jane Doe contributed to this report."
    return (
        k.startswith(_CHROME_PREFIXES)
        or k.lstrip("([").startswith(_CREDIT_PREFIXES)
        or bool(_CONTRIBUTED.search(k))
    )


def read_more_inline(line: str) -> str | None:
    """``Read more: <headline>`` on one line gives the headline."""
    m = _READ_MORE_INLINE.match(line)
    return m.group(1).strip() if m else None


def date_line(line: str) -> tuple[str, str] | None:
    """``Updated: December 11, 2017 10:03 PM`` -> ("updated", "December 11, 2017 10:03 PM")."""
    if word_count(line) > 15:
        return None
    m = _DATE_LINE.match(line)
    if not m:
        return None
    kind = "updated" if m.group("kind").lower() in {"updated", "last updated", "last modified",
                                                    "modified"} else "published"  # fmt: skip
    return kind, m.group("date")


def person_name(text: str) -> str | None:
    """``text`` if it looks like a person's name (2-5 capitalised words, particles allowed)."""
    name = text.strip(" .,;")
    words = name.split()
    if not 2 <= len(words) <= 5 or name.casefold() in _NOT_PEOPLE:
        return None
    for w in words:
        if w.casefold() in _NAME_PARTICLES:
            continue
        if not (w[0].isupper() and any(ch.isalpha() for ch in w)):
            return None
    return name


def byline(line: str) -> list[str] | None:
    """People named by a byline ("By Jane Doe and John Roe", "Jane Doe, Correspondent").
    Returns None when the line is not a byline, [] for a byline naming no person ("By Reuters")."""
    if word_count(line) > 16:
        return None
    m = _BYLINE.match(line)
    if m:
        parts = re.split(r",|\band\b|&|\bin\b", m.group("names"))
        names = [n for n in (person_name(p) for p in parts[:6]) if n]
        if names or m.group("names").strip(" .").casefold() in _NOT_PEOPLE:
            return names
        return None
    m = _ROLE_LINE.match(line)
    if m:
        name = person_name(m.group("name"))
        return [name] if name else None
    return None


def strip_dateline(paragraph: str) -> str:
    """``CAIRO (Reuters) - The ...`` -> ``The ...``; anything else unchanged."""
    m = _DATELINE.match(paragraph[:120])
    if not m:
        return paragraph
    place = m.group("place").strip()
    if not (m.group("agency") or sum(ch.isalpha() for ch in place) >= 3):
        return paragraph
    return paragraph[m.end() :]


def _is_credit(tail: str) -> bool:
    words = word_count(tail)
    if not 1 <= words <= MAX_CREDIT_WORDS or tail.endswith((".", "!", "?")):
        return False
    return " / " in tail or bool(_AGENCY_TAIL.search(tail)) or bool(_CREDIT_LEAD.match(tail))


def split_caption(line: str) -> tuple[str, str] | None:
    """A caption line is prose followed by a credit: returns (caption, credit) or None."""
    if word_count(line) > 120:
        return None
    ends = list(_SENTENCE_END.finditer(line))
    if not ends:
        return None
    cut = ends[-1]
    text, tail = line[: cut.start() + 1].strip(), line[cut.end() :].strip()
    if word_count(text) < 3 or not _is_credit(tail):
        return None
    text = text.rstrip()
    return text, _CREDIT_LEAD.sub("", tail)


def credit_only(line: str) -> str | None:
    """A line that is only a credit ("Photo: Reuters")."""
    if word_count(line) > MAX_CREDIT_WORDS:
        return None
    m = _CREDIT_LEAD.match(line)
    return line[m.end() :].strip() or None if m else None


# News agencies, as credited in bylines and JSON-LD authors: the name newsflow reports.
AGENCIES = {
    "reuters": "Reuters", "thomson reuters": "Reuters", "ap": "Associated Press",
    "the associated press": "Associated Press", "associated press": "Associated Press",
    "afp": "AFP", "agence france-presse": "AFP", "agence france presse": "AFP",
    "bloomberg": "Bloomberg", "bloomberg news": "Bloomberg", "dpa": "dpa",
    "deutsche presse-agentur": "dpa", "efe": "EFE", "agencia efe": "EFE", "ansa": "ANSA",
    "pa": "PA Media", "pa media": "PA Media", "press association": "PA Media",
    "xinhua": "Xinhua", "upi": "UPI", "kyodo": "Kyodo", "kyodo news": "Kyodo",
    "yonhap": "Yonhap", "anadolu": "Anadolu", "anadolu agency": "Anadolu", "tass": "TASS",
    "wam": "WAM", "ians": "IANS", "pti": "PTI", "press trust of india": "PTI", "cnn wire": "CNN",
    "agência brasil": "Agência Brasil", "agencia brasil": "Agência Brasil", "apa": "APA",
}  # fmt: skip

# What leads a byline, in the main European languages ("By", "Von", "Par", "Por", "Publicado
# por", "Di", "Door", "Av", "Af").
_BYLINE_LEAD = re.compile(
    r"^\s*(?:(?:words|written|story|reporting|text|posted|published|publicado|escrito|"
    r"geschrieben|écrit|scritto|reportage)\s+)?(?:by|von|par|por|di|da|door|av|af|de)\s*:?\s+",
    re.I,
)
_BYLINE_LABEL = re.compile(
    r"^\s*(?:(?:author|autor|auteur|autore|auteurs|authors|автор|текст)\s*:?\s+)", re.I
)
# Job titles and desks glued before or after a name ("CNN Editor-at-large Chris Cillizza")
_ROLE_WORDS = re.compile(
    r"\b(?:editor(?:-at-large)?|senior|chief|correspondent|reporter|writer|columnist|"
    r"contributor|contributing|analyst|staff|producer|anchor|host|political|business|"
    r"technology|tech|science|health|sports?|foreign|national|white house|washington|bureau|"
    r"deputy|managing|executive|associate|special|investigative|data|digital|news|at large|"
    r"freelance|photographer|intern|fellow|director|head|for|the|of|and|a)\b",
    re.I,
)
_ROLE_NOUN = re.compile(
    r"\b(?:correspondent|editor|reporter|writer|columnist|contributor|analyst|producer|"
    r"photographer|anchor|presenter|critic)s?\b",
    re.I,
)
_DESK = re.compile(r"\b(?:staff|desk|team|newsroom|bureau|agencies|media)\b", re.I)
# A date or a dateline after a name ("Malcolm Owen Monday, November 18, 2019"; "Jan Weber"
# is a name: a month word counts only with its day)
_MONTHS = re.compile(
    r"\b(?:(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?\s+\d"
    r"|(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b(?:,?\s+\w|\s*$)"
    r"|(?:updated|published|posted)\b).*$",
    re.I,
)


def agency_name(text: str) -> str | None:
    """The agency ``text`` names ("REUTERS", "The Associated Press"), else None."""
    return AGENCIES.get(clean_key(text))


def clean_key(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip(" .,;:()[]|-\u2013\u2014")).casefold()


def _name_case(name: str) -> str:
    """A name in capitals ("CHRIS CILLIZZA") in its usual case; others as they are."""
    if name.isupper() and len(name) > 3:
        return " ".join(w.capitalize() if "-" not in w else "-".join(
            p.capitalize() for p in w.split("-")) for w in name.split())  # fmt: skip
    return name


def _strip_roles(text: str, sites: list[str]) -> str:
    """Outlet names, job titles and dates around a name: what is left is the name."""
    for site in sites:
        if len(site) >= 2:
            text = re.sub(rf"(?i)\b{re.escape(site)}\b", " ", text)
    text = _MONTHS.sub("", text)
    text = re.sub(r"\b\d[\d:/.,-]*\b.*$", "", text)  # a date or time, and what follows
    text = re.sub(r"\S+@\S+", "", text)
    words = text.split()
    while words and _ROLE_WORDS.fullmatch(words[0].strip(",.")):  # titles before the name
        words.pop(0)
    for i in range(2, len(words)):  # a role after the name: cut at its first word
        if _ROLE_WORDS.fullmatch(words[i].strip(",.")):
            words = words[:i]
            break
    return " ".join(words).strip(" ,.;:-\u2013\u2014|")


def byline_people(raw: str, sites: list[str] | None = None) -> tuple[list[str], list[str]]:
    """People and agencies in a byline or author field: "By Jane Doe and John Roe", "Jane
    Doe, Reuters", "Publicado por: Clarissa Borba", "CNN Editor-at-large Chris Cillizza",
    "JERUSALEM POST STAFF NOVEMBER 18, 2019" (no person). Never a word that is not a name."""
    sites = sites or []
    text = clean_line(raw)[:300]
    text = re.sub(r"([A-Z]{2,})(?=[A-Z][a-z])", r"\1 ", text)  # "LAWLESSAssociated Press"
    text = _BYLINE_LABEL.sub("", text)
    text = _BYLINE_LEAD.sub("", text)
    people: list[str] = []
    agencies: list[str] = []
    parts = re.split(r"\s*(?:;|,|\||&|\band\b|\bund\b|\bet\b|\be\b|\by\b|\bwith\b|/)\s*", text)
    for piece in parts[:12]:
        part = _BYLINE_LEAD.sub("", piece)
        agency = agency_name(part)
        if agency:
            agencies.append(agency)
            continue
        words = part.split()
        lead = next((a for n in (2, 1) if (a := agency_name(" ".join(words[:n])))), None)
        if lead and len(words) > 1 and _ROLE_NOUN.search(part):
            agencies.append(lead)  # "AP National Security Writer": the agency's desk
            continue
        tail = next((a for n in (2, 1) if (a := agency_name(" ".join(words[-n:])))), None)
        if tail and len(words) > 2:  # "Jill Lawless Associated Press"
            agencies.append(tail)
            part = " ".join(words[: -2 if agency_name(" ".join(words[-2:])) else -1])
        if _DESK.search(part):
            continue  # "Jerusalem Post Staff", "Web Desk": a credit, not a person
        name = person_name(_name_case(_strip_roles(part, sites)))
        if name and _ROLE_NOUN.search(name):
            continue  # "Employment Correspondent": a role left alone
        if name and not _is_outlet(name, sites) and name not in people:
            people.append(name)
    return people, list(dict.fromkeys(agencies))


def _is_outlet(name: str, sites: list[str]) -> bool:
    squashed = re.sub(r"[^a-z0-9]", "", name.casefold())
    return any(squashed == re.sub(r"[^a-z0-9]", "", s.casefold()) for s in sites)


# -- promotion and footers inside article bodies (HTML pages) -------------------------------
# A line that opens a block of links to other stories, in English and the main European
# languages; the short headline-like lines after it are those links.
PROMO_HEADS = frozenset(
    {"you may also like", "you might also like", "you may like", "don't miss", "dont miss",
     "don’t miss", "most read", "most popular", "most viewed", "related", "related stories",
     "related articles", "related content", "related coverage", "read more", "see more",
     "more stories", "more from", "recommended", "recommended stories", "trending",
     "trending now", "also read", "top stories", "more news", "latest news", "editor's picks",
     "leggi anche", "leggi anche:", "potrebbe interessarti", "lesen sie auch", "mehr zum thema",
     "das könnte sie auch interessieren", "lire aussi", "à lire aussi", "a lire aussi",
     "voir aussi", "sur le même sujet", "leia também", "leia mais", "veja também",
     "lea también", "lee también", "ver también", "te puede interesar", "lees ook",
     "читайте также", "czytaj też", "czytaj także", "läs också", "les også", "læs også"}
)  # fmt: skip
_PROMO_HEAD_PREFIX = re.compile(
    r"^(?:popular on|more from|most read in|more on|latest from)\b", re.I
)
# "READ MORE: <headline>", "Leggi anche: <headline>", "Also on rt.com <headline>": a label,
# its separator (required: "More than 100 people..." is a sentence), the linked headline
_PROMO_INLINE = re.compile(
    r"^(?:(?:read more|see more|see also|more|related|also read|watch|listen|"
    r"don['’]t miss|leggi anche|lesen sie auch|mehr zum thema|lire aussi|à lire aussi|"
    r"voir aussi|leia também|leia mais|veja também|lea también|lee también|ver también|"
    r"lees ook|читайте также|czytaj też|läs också|les også)\s*[:|\u2013\u2014>»]"
    r"|also on [a-z0-9-]+\.[a-z]{2,6}\b)\s*(?P<headline>\S.{3,300})$",
    re.I,
)
# Lines that are the site talking: newsletters, follow us, share, reading time, tags, credits
# of the page rather than the story.
_SITE_LINE = re.compile(
    r"^(?:"
    r"(?:sign up|subscribe|register)\b.{0,160}\b(?:newsletter|inbox|e-?mail|alerts)\b"
    r"|.{0,120}\bdelivered (?:straight |directly )?to your inbox\b"
    r"|get the (?:day['’]s|latest|top) .{0,80}\b(?:newsletter|inbox)\b"
    r"|(?:like this (?:story|article)\??\s*)?share (?:it|this (?:story|article)) with a friend"
    r"|follow (?:us|\S+(?: \S+){0,3}) on (?:twitter|facebook|instagram|youtube|linkedin|tiktok)"
    r"|follow (?:ap|reuters|afp|\S+)['’]s (?:full )?coverage\b"
    r"|listen to \S+(?: \S+){0,3} live\b"
    r"|explore further$"
    r"|(?:filed under|tags|topics|categories|mots-clés|schlagwörter|tag)\s*:"
    r"|(?:reading time|read time|tempo de leitura|tiempo de lectura|temps de lecture|lesezeit|"
    r"tempo di lettura)\s*:?\s*\d"
    r"|have a tip\?"
    r")",
    re.I,
)
_TAGGED_PROMO = re.compile(r"^\S+(?: \S+){2,}\s*\[[A-Z]{3,12}\]$")  # "... fears [INSIGHT]" links
_MAX_PROMO_WORDS = 30


def promo_head(line: str) -> bool:
    """A line that opens a block of links to other stories ("You may also like...",
    "DON'T MISS", "Popular on IndieWire", "Leggi anche")."""
    if word_count(line) > 8:
        return False
    k = key(line).rstrip(".…")
    return k in PROMO_HEADS or bool(_PROMO_HEAD_PREFIX.match(k))


def promo_inline(line: str) -> str | None:
    """The headline a one-line promotion links to ("READ MORE: China plague outbreak...",
    "Also on rt.com Journalists & politicians..."), else None."""
    if word_count(line) > _MAX_PROMO_WORDS:
        return None
    m = _PROMO_INLINE.match(line)
    return m.group("headline").strip() if m else None


def site_line(line: str) -> bool:
    """The site talking, not the story: newsletter and follow prompts, share prompts,
    reading times, tag lists, "Explore further", "[INSIGHT]"-tagged promotions."""
    if word_count(line) > 40:
        return False
    return bool(_SITE_LINE.match(line.strip())) or bool(
        word_count(line) <= _MAX_PROMO_WORDS and _TAGGED_PROMO.search(line.strip())
    )


# -- captions --------------------------------------------------------------------------------
_CAPTION_LABEL = re.compile(
    r"^(?:image|media|video|photo|picture|audio) (?:caption|copyright)\s*:?\s*", re.I
)
# "...the White House.Credit...Doug Mills/The New York Times", "... Credit: AP"
_GLUED_CREDIT = re.compile(
    r"^(?P<text>.*\S)\s*(?:Credit|Photo|Image|Picture|Foto)s?\s*(?:\.\.\.|…|:)\s*(?P<credit>\S.{1,120})$"
)
_PAREN_CREDIT = re.compile(
    r"^(?P<text>.*\S)\s*\((?P<credit>(?:(?:photo|image|picture|credit)s?\s*:?\s*)?"
    r"[^()]{0,60}?(?:Getty Images|AP|AFP|Reuters|EPA|Shutterstock|Alamy|PA|Bloomberg|"
    r"Xinhua|dpa|Photo|Courtesy[^()]*))\)$",
    re.I,
)


def caption_parts(text: str) -> tuple[str, str | None] | None:
    """A caption as (text, credit): "Image caption" and "Media caption" labels off, a credit
    however the site glues it ("...Credit...Doug Mills", "Photo: Reuters", "(Getty Images)",
    "... Michael Klimentyev / Pool / EPA"). None when nothing is left."""
    text = _CAPTION_LABEL.sub("", text.strip())
    if not text:
        return None
    if m := _GLUED_CREDIT.match(text):
        return _CAPTION_LABEL.sub("", m["text"]).strip(), m["credit"].strip()
    if m := _PAREN_CREDIT.match(text):
        return m["text"].strip(), _CREDIT_LEAD.sub("", m["credit"]).strip()
    split = split_caption(text)
    return split if split else (text, None)
