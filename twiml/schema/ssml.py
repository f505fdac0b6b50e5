"""SSML elements allowed inside <Say> (lower-case names, spec §1.4)."""

from __future__ import annotations

from .types import Element, enum, pattern, s

LANGS = (
    "arb ar-AE ca-ES cmn-CN cy-GB da-DK de-DE de-AT en-AU en-GB en-GB-WLS en-IN en-NZ en-US en-ZA es-ES es-MX "
    "es-US fi-FI fr-CA fr-FR he-IL hi-IN is-IS it-IT ja-JP ko-KR nb-NO nl-NL pl-PL pt-BR pt-PT ro-RO ru-RU "
    "sv-SE tr-TR yue-CN"
)
INLINE = ("break", "emphasis", "lang", "phoneme", "prosody", "say-as", "sub", "w")
BLOCK = ("break", "emphasis", "lang", "p", "phoneme", "prosody", "s", "say-as", "sub", "w")

ELEMENTS = (
    Element(
        "break",
        (
            enum("strength", "none x-weak weak medium strong x-strong", "medium"),
            pattern("time", r"[0-9]+(\.[0-9]+)?m?s", example="500ms"),
        ),
        doc="A pause.",
    ),
    Element(
        "emphasis",
        (enum("level", "strong moderate reduced"),),
        text="optional",
        text_arg="words",
        children=INLINE,
    ),
    Element(
        "lang",
        (enum("xml:lang", LANGS, open_values=True, pattern=r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*"),),
        text="optional",
        text_arg="words",
        children=BLOCK,
    ),
    Element("p", text="optional", text_arg="words", children=tuple(c for c in BLOCK if c != "p")),
    Element("s", text="optional", text_arg="words", children=tuple(c for c in INLINE)),
    Element(
        "phoneme",
        (
            enum(
                "alphabet",
                "ipa x-sampa x-amazon-jyutping x-amazon-pinyin x-amazon-pron-kana x-amazon-yomigana",
            ),
            s("ph"),
        ),
        text="optional",
        text_arg="words",
    ),
    Element(
        "prosody",
        (
            enum(
                "volume",
                "default silent x-soft soft medium loud x-loud",
                pattern=r"[+-][0-9]+(\.[0-9]+)?dB",
            ),
            enum("rate", "x-slow slow medium fast x-fast", pattern=r"[0-9]+(\.[0-9]+)?%"),
            enum("pitch", "default x-low low medium high x-high", pattern=r"[+-]?[0-9]+(\.[0-9]+)?%"),
        ),
        text="optional",
        text_arg="words",
        children=BLOCK,
    ),
    Element(
        "say-as",
        (
            enum(
                "interpret-as",
                "characters spell-out cardinal number ordinal digits fraction unit date time address "
                "expletive telephone",
            ),
            enum("format", "mdy dmy ymd md dm ym my d m y yyyymmdd"),
        ),
        text="optional",
        text_arg="words",
    ),
    Element("sub", (s("alias"),), text="optional", text_arg="words"),
    Element(
        "w",
        # Polly word roles; values such as amazon:VB, amazon:SENSE_1 [M], so any amazon:* passes.
        (enum("role", (), pattern=r"amazon:[A-Za-z0-9_]+", open_values=True, example="amazon:VB"),),
        text="optional",
        text_arg="words",
        children=("break", "emphasis", "phoneme", "prosody", "say-as", "sub"),
    ),
)
