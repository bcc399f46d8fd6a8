"""Bank statements as banks send them: every file of tests/conformance/bank/ reads to what
its sidecar `<file>.expected.json` says, written by hand from the file itself (its own
balances, the standard, the sample's documentation), never from the parser's output.

A statement's expectations: its keys and balances (signed: a debit is negative), whether
its entries add up (opening + entries = closing), and each entry by its own line: signed
amount, value date, reference (camt.053 EndToEndId, else the account owner's reference,
as the cash recon matches). `quarantine` lists every row the file must leave there.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from extractors.base import parse_file
from extractors.extracted import ExtractedFile

CORPUS = Path(__file__).parent / "bank"
SIDECAR = ".expected.json"
FILES = sorted(p for p in CORPUS.iterdir() if not p.name.endswith(SIDECAR))

# Expected key -> column, compared as they are (dates, decimals and times as text).
STATEMENT_COLUMNS = {
    key: key
    for key in (
        "message_index",
        "line_number",
        "message_format",
        "statement_id",
        "account_id",
        "account_servicer",
        "sequence_number",
        "page_number",
        "is_last_page",
        "opening_balance_code",
        "opening_is_intermediate",
        "opening_currency",
        "closing_balance_code",
        "closing_is_intermediate",
        "closing_currency",
        "entry_count",
        "business_date",
        "additional_info",
        "created_at",
        "created_local",
        "created_utc_offset",
    )
} | {"currency": "account_currency"}
ENTRY_COLUMNS = {
    key: key
    for key in (
        "line_number",
        "entry_index",
        "value_date",
        "booking_date",
        "currency",
        "is_reversal",
        "funds_code",
        "supplementary_details",
        "additional_info",
        "transaction_details_count",
    )
} | {"bank_reference": "account_servicer_ref", "transaction_type": "bank_transaction_code"}

Row = dict[str, Any]


def _text(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _signed(amount: Decimal | None, credit_debit: str | None) -> Decimal | None:
    if amount is None:
        return None
    return -amount if credit_debit == "DBIT" else amount


def _same(got: Row, want: Row, columns: dict[str, str], where: str) -> None:
    for key, column in columns.items():
        if key in want:
            assert _text(got[column]) == want[key], f"{where}: {key}"


def _amount(want: str | None) -> Decimal | None:
    return None if want is None else Decimal(want)


def _check_statement(statement: Row, entries: list[Row], balances: list[Row], want: Row) -> None:
    where = f"statement {want['statement_id']} (line {want['line_number']})"
    _same(statement, want, STATEMENT_COLUMNS, where)
    opening = _signed(statement["opening_balance"], statement["opening_credit_debit"])
    closing = _signed(statement["closing_balance"], statement["closing_credit_debit"])
    assert opening == _amount(want["opening_balance"]), where
    assert closing == _amount(want["closing_balance"]), where
    signed = [_signed(e["amount"], e["credit_debit"]) for e in entries]
    if "entries_add_up" in want:
        assert (opening + sum(signed) == closing) is want["entries_add_up"], where
    assert len(entries) == len(want["entries"]), where
    for entry, amount, expected in zip(entries, signed, want["entries"], strict=True):
        at = f"{where}, entry on line {expected['line_number']}"
        _same(entry, expected, ENTRY_COLUMNS, at)
        assert amount == Decimal(expected["amount"]), at
        reference = entry["end_to_end_id"] or entry["account_owner_ref"]
        assert reference == expected["reference"], at
    if "balances" in want:
        codes = {b["code"] for b in want["balances"]}
        kept = [b for b in balances if b["balance_code"] in codes]
        assert [
            (
                b["line_number"],
                b["balance_code"],
                _signed(b["amount"], b["credit_debit"]),
                b["currency"],
            )
            for b in kept
        ] == [
            (b["line_number"], b["code"], Decimal(b["amount"]), b["currency"])
            for b in want["balances"]
        ], where


def _of(rows: list[Row], statement: Row) -> list[Row]:
    keys = ("message_index", "statement_id", "sequence_number", "account_id")
    return [r for r in rows if all(r[k] == statement[k] for k in keys)]


def _check_quarantine(extracted: ExtractedFile, want: list[Row]) -> None:
    rows = extracted.quarantine.to_dicts()
    assert len(rows) == len(want), rows
    for row, expected in zip(rows, want, strict=True):
        for key in ("line_number", "message_index", "field", "raw_value"):
            if key in expected:
                assert row[key] == expected[key], (key, row)
        assert expected["reason_contains"] in row["reason"], row


def test_every_corpus_file_has_its_expectations() -> None:
    assert len(FILES) >= 10
    for path in FILES:
        assert path.with_name(path.name + SIDECAR).is_file(), path.name
    for sidecar in CORPUS.glob("*" + SIDECAR):
        assert sidecar.with_name(sidecar.name.removesuffix(SIDECAR)).is_file(), sidecar.name


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_a_bank_file_reads_as_its_expectations_say(path: Path) -> None:
    want = json.loads(path.with_name(path.name + SIDECAR).read_text(encoding="utf-8"))
    extracted = parse_file("bank", f"bank/{path.name}", path.read_bytes())
    assert not extracted.is_quarantined_whole
    _check_quarantine(extracted, want["quarantine"])
    statements = extracted.tables["bank_statements"].to_dicts()
    entries = extracted.tables["bank_statement_entries"].to_dicts()
    balances = extracted.tables["bank_statement_balances"].to_dicts()
    assert [s["statement_id"] for s in statements] == [
        s["statement_id"] for s in want["statements"]
    ]
    for statement, expected in zip(statements, want["statements"], strict=True):
        _check_statement(statement, _of(entries, statement), _of(balances, statement), expected)
