"""Tokenizing: tag=value pairs, repeating groups (nested too), and precise rejections."""

from __future__ import annotations

import pytest

from extractors.fix import FixMessage, Rejection, read_fix
from tests.extractors.fixbuild import SOH, Field, header, message

PARTIES_WITH_SUB_IDS = [
    (453, "2"),
    (448, "TRADER-7"),
    (447, "D"),
    (452, "11"),
    (802, "2"),
    (523, "DESK-EQ"),
    (803, "4"),
    (523, "LON"),
    (803, "25"),
    (448, "529900T8BM49AURSDO55"),
    (447, "N"),
    (452, "1"),
]


def _one(fields: list[Field], delimiter: str = "|") -> FixMessage | Rejection:
    (record,) = read_fix(message(fields, delimiter).encode()).records
    return record


def _parsed(fields: list[Field], delimiter: str = "|") -> FixMessage:
    record = _one(fields, delimiter)
    assert isinstance(record, FixMessage), record
    return record


def _rejected(fields: list[Field]) -> Rejection:
    record = _one(fields)
    assert isinstance(record, Rejection), record
    return record


def test_nested_party_sub_ids_resolve_into_their_entry() -> None:
    msg = _parsed([*header("8", 1), (37, "O-1"), *PARTIES_WITH_SUB_IDS, (55, "SAP")])
    trader, broker = msg.group("453")
    assert trader.fields == {"448": "TRADER-7", "447": "D", "452": "11"}
    assert [s.fields for s in trader.group("802")] == [
        {"523": "DESK-EQ", "803": "4"},
        {"523": "LON", "803": "25"},
    ]
    assert broker.fields == {"448": "529900T8BM49AURSDO55", "447": "N", "452": "1"}
    assert broker.group("802") == []
    # Fields after the group are top level again.
    assert msg.fields["55"] == "SAP" and "448" not in msg.fields


def test_allocation_lines_with_nested_fees_and_orders() -> None:
    msg = _parsed(
        [
            *header("J", 1),
            (70, "A-1"),
            (73, "2"),
            (11, "C-1"),
            (37, "O-1"),
            (11, "C-2"),
            (37, "O-2"),
            (54, "1"),
            (78, "3"),
            (79, "ACC-A"),
            (80, "1"),
            (136, "2"),
            (137, "0.5"),
            (139, "7"),
            (137, "0.25"),
            (139, "4"),
            (467, "L-1"),  # a member after the nested group: still entry 1
            (79, "ACC-B"),
            (80, "2"),
            (79, "ACC-C"),
            (80, "3"),
            (60, "20261124-10:00:00"),
        ]
    )
    lines = msg.group("78")
    assert [line.fields for line in lines] == [
        {"79": "ACC-A", "80": "1", "467": "L-1"},
        {"79": "ACC-B", "80": "2"},
        {"79": "ACC-C", "80": "3"},
    ]
    assert [f.fields for f in lines[0].group("136")] == [
        {"137": "0.5", "139": "7"},
        {"137": "0.25", "139": "4"},
    ]
    assert [o.fields for o in msg.group("73")] == [
        {"11": "C-1", "37": "O-1"},
        {"11": "C-2", "37": "O-2"},
    ]
    assert msg.fields["54"] == "1" and msg.fields["60"] == "20261124-10:00:00"


def test_an_unknown_tag_ends_the_group() -> None:
    msg = _parsed(
        [*header("8", 1), (453, "1"), (448, "X"), (452, "1"), (9999, "custom"), (55, "S")]
    )
    assert [p.fields for p in msg.group("453")] == [{"448": "X", "452": "1"}]
    assert msg.fields["9999"] == "custom"


@pytest.mark.parametrize(
    ("body", "field", "raw", "reason"),
    [
        (
            [(453, "2"), (448, "X"), (452, "1"), (55, "S")],
            "453 NoPartyIDs",
            "2",
            "group 453 NoPartyIDs declares 2 entries, found 1",
        ),
        (
            # An unknown tag ends the group early, so the second entry is not in it.
            [(453, "2"), (448, "X"), (9999, "c"), (448, "Y")],
            "453 NoPartyIDs",
            "2",
            "group 453 NoPartyIDs declares 2 entries, found 1",
        ),
        (
            [(453, "1"), (452, "1"), (448, "X")],
            "453 NoPartyIDs",
            "1",
            "group 453 NoPartyIDs declares 1 entries, found 0",
        ),
        ([(453, "x"), (448, "X")], "453 NoPartyIDs", "x", "count is not a non-negative integer"),
        ([(453, "1"), (448, "X"), (452, "1"), (452, "3")], "452 PartyRole", "3", "repeated within"),
        ([(55, "S"), (55, "T")], "55 Symbol", "T", "duplicate tag 55 outside a repeating group"),
        ([(55, "S"), ("5x", "T")], "5x", "T", "tag '5x' is not a FIX tag"),
        ([(55, "S"), ("055", "T")], "055", "T", "tag '055' is not a FIX tag"),
        ([(55, "")], "55 Symbol", "", "tag 55 has an empty value"),
    ],
    ids=[
        "too-few-entries",
        "unknown-tag-inside",
        "entry-without-first-tag",
        "count-not-int",
        "repeated-member",
        "duplicate-tag",
        "tag-not-digits",
        "tag-leading-zero",
        "empty-value",
    ],
)
def test_malformed_fields_reject_the_message_with_the_field(
    body: list[tuple[int | str, str]], field: str, raw: str, reason: str
) -> None:
    rejection = _rejected([*header("8", 1), *body])
    assert (rejection.field, rejection.raw_value) == (field, raw)
    assert reason in rejection.reason
    assert rejection.msg_type == "8"


def test_field_without_equals_is_rejected() -> None:
    rejection = _rejected([*header("8", 1), "55S", (54, "1")])
    assert (rejection.field, rejection.raw_value) == (None, "55S")
    assert rejection.reason == "field without '=' (expected tag=value)"


def test_values_may_contain_equals_signs() -> None:
    msg = _parsed([*header("8", 1), (58, "a=b=c"), (55, "S")])
    assert msg.fields["58"] == "a=b=c"


def test_data_field_may_contain_the_delimiter() -> None:
    encoded = f"x{SOH}y=z"
    fields = [*header("8", 1), (354, str(len(encoded))), (355, encoded), (55, "S")]
    msg = _parsed(fields, SOH)
    assert msg.fields["355"] == encoded and msg.fields["55"] == "S"


def test_utf8_text_is_decoded() -> None:
    assert _parsed([*header("8", 1), (58, "Société Générale")]).fields["58"] == "Société Générale"
