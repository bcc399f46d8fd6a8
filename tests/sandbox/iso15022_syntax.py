"""A minimal, strict ISO 15022 syntax checker for the MT messages the Asian sub-custodian
sends (MT548, MT545, MT547, MT535): FIN block framing, the SWIFT character set, each
field's format in SWIFT notation, and balanced 16R/16S sequences.

It is written from the standard, independently of extractors/ and sandbox/ (it imports
neither), as the second parser issue 3 asks for: no package on PyPI validates MT54x.
swift-parser-py 0.5.0 is non-validating by design and fails on every generic field
(`:4!c//...`) of a valid MT548 (it keeps a leading colon its own patterns do not expect).
"""

from __future__ import annotations

import re
from datetime import datetime

# SWIFT character sets: x (the FIN X set), c (upper-case alphanumeric), a, n.
X = r"[A-Za-z0-9/\-?:().,'+ ]"
C, A, N = "[A-Z0-9]", "[A-Z]", "[0-9]"
D15 = r"(?=[0-9,]{1,15}(?:\r|$))[0-9]+,[0-9]*"  # 15d: digits, one decimal comma, at most 15
QUAL = rf"{C}{{4}}"  # a generic field's qualifier (4!c)
DSS = rf"{C}{{0,8}}"  # optional data source scheme ([8c]); empty means the ISO code list

# Field formats of the tags these messages use, as ISO 15022 defines them.
FIELDS: dict[str, str] = {
    "16R": rf"{C}{{1,16}}",
    "16S": rf"{C}{{1,16}}",
    "17B": rf":{QUAL}//[YN]",
    "19A": rf":{QUAL}//N?{A}{{3}}{D15}",
    "20C": rf":{QUAL}//(?!/)(?!.*//){X}{{1,16}}(?<!/)",
    "22F": rf":{QUAL}/{DSS}/{C}{{4}}",
    "22H": rf":{QUAL}//{C}{{4}}",
    "23G": rf"{C}{{4}}(?:/{C}{{4}})?",
    "24B": rf":{QUAL}/{DSS}/{C}{{4}}",
    "25D": rf":{QUAL}/{DSS}/{C}{{4}}",
    "28E": rf"{N}{{1,5}}/(?:LAST|MORE|ONLY)",
    "35B": rf"ISIN {A}{{2}}{C}{{9}}{N}(?:\r\n{X}{{1,35}}){{0,4}}",
    "36B": rf":{QUAL}//{C}{{4}}/{D15}",
    "93B": rf":{QUAL}/{DSS}/{C}{{4}}/N?{D15}",
    "95P": rf":{QUAL}//{A}{{4}}{A}{{2}}{C}{{2}}(?:{C}{{3}})?",
    "97A": rf":{QUAL}//{X}{{1,35}}",
    "98A": rf":{QUAL}//(?P<date>{N}{{8}})",
    "98C": rf":{QUAL}//(?P<date>{N}{{8}})(?P<time>{N}{{6}})",
}
MESSAGE_TYPES = ("535", "545", "547", "548")

_BIC12 = rf"{A}{{6}}{C}{{2}}{C}{{1}}{C}{{3}}"
_MESSAGE = re.compile(
    rf"\{{1:F01{_BIC12}{N}{{4}}{N}{{6}}\}}"
    rf"\{{2:O(?P<mt>{N}{{3}}){N}{{4}}(?P<in_date>{N}{{6}}){_BIC12}{N}{{4}}{N}{{6}}"
    rf"(?P<out_date>{N}{{6}}){N}{{4}}[SNU]\}}"
    rf"(?:\{{3:\{{108:{X}{{1,16}}\}}\}})?"
    r"\{4:\r\n(?P<text>.*?)\r\n-\}"
    r"\{5:\{CHK:[0-9A-F]{12}\}\}"
    r"(?:\r\n)?",
    re.DOTALL,
)
_FIELD_START = re.compile(r"^:(?P<tag>[0-9]{2}[A-Z]?):", re.MULTILINE)


class SyntaxProblem(ValueError):
    """A message that breaks ISO 15022 syntax."""


def split_messages(data: bytes) -> list[tuple[str, str]]:
    """A FIN file's messages as (message type, block 4 text); the whole file must be FIN."""
    text = data.decode("ascii")  # FIN is ASCII; anything else is a problem in itself
    messages, position = [], 0
    while position < len(text):
        match = _MESSAGE.match(text, position)
        if match is None:
            raise SyntaxProblem(f"no FIN message framing at offset {position}")
        _date(match["in_date"], "%y%m%d")
        _date(match["out_date"], "%y%m%d")
        if match["mt"] not in MESSAGE_TYPES:
            raise SyntaxProblem(f"unexpected message type MT{match['mt']}")
        messages.append((match["mt"], match["text"]))
        position = match.end()
    return messages


def check_text_block(text: str) -> list[tuple[str, str]]:
    """Block 4's fields as (tag, content), each checked against its format; the 16R/16S
    sequences must nest and close, GENL open the message and hold :20C::SEME."""
    starts = list(_FIELD_START.finditer(text))
    if not starts or starts[0].start() != 0:
        raise SyntaxProblem("block 4 must start with a field tag")
    fields: list[tuple[str, str]] = []
    for here, following in zip(starts, [*starts[1:], None], strict=True):
        end = following.start() - 2 if following else len(text)  # strip the CRLF
        if following and text[end : end + 2] != "\r\n":
            raise SyntaxProblem(f"field {here['tag']} does not end with CRLF")
        tag, content = here["tag"], text[here.end() : end]
        pattern = FIELDS.get(tag)
        if pattern is None:
            raise SyntaxProblem(f"field {tag} is not one these messages use")
        match = re.fullmatch(pattern, content)
        if match is None:
            raise SyntaxProblem(f":{tag}:{content!r} does not match its format")
        if "date" in (groups := match.groupdict()):
            _date(groups["date"], "%Y%m%d")
        if groups.get("time"):
            _date(groups["time"], "%H%M%S")
        fields.append((tag, content))
    _check_sequences(fields)
    return fields


def _check_sequences(fields: list[tuple[str, str]]) -> None:
    open_blocks: list[str] = []
    for tag, content in fields:
        if tag == "16R":
            open_blocks.append(content)
        elif tag == "16S":
            if not open_blocks or open_blocks.pop() != content:
                raise SyntaxProblem(f":16S:{content} closes no open {content} sequence")
        elif not open_blocks:
            raise SyntaxProblem(f"field {tag} outside any sequence")
    if open_blocks:
        raise SyntaxProblem(f"sequences left open: {open_blocks}")
    genl = fields[: fields.index(("16S", "GENL"))] if ("16S", "GENL") in fields else []
    if fields[0] != ("16R", "GENL") or not any(
        tag == "20C" and content.startswith(":SEME//") for tag, content in genl
    ):
        raise SyntaxProblem("a message opens with sequence GENL holding its :20C::SEME//")


def _date(value: str, shape: str) -> None:
    try:
        datetime.strptime(value, shape)
    except ValueError:
        raise SyntaxProblem(f"{value!r} is not a valid {shape}") from None
