"""custodian and bank: bad records and bad files are quarantined with precise reasons."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from extractors.base import parse_file
from extractors.extracted import ExtractedFile
from extractors.schemas import QUARANTINE

ISO = Path(__file__).parent / "fixtures" / "iso"
CAMT = (ISO / "bank_camt053_v04.xml").read_bytes()
SESE024 = (ISO / "custodian_sese024_v10.xml").read_bytes()
MT548 = (ISO / "custodian_mt548.fin").read_bytes()


def _only(extracted: ExtractedFile) -> dict[str, object]:
    assert extracted.quarantine.schema == pl.Schema(QUARANTINE)
    (row,) = extracted.quarantine.to_dicts()
    return row


def _whole(platform: str, data: bytes) -> dict[str, object]:
    extracted = parse_file(platform, f"{platform}/file", data)
    assert extracted.is_quarantined_whole
    assert all(frame.is_empty() for frame in extracted.tables.values())
    row = _only(extracted)
    assert (row["platform"], row["source_file"]) == (platform, f"{platform}/file")
    return row


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<GrpHdr><MsgId>&lol9;</MsgId></GrpHdr></BkToCstmrStmt></Document>
"""
EXTERNAL_ENTITY = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE Document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:sese.024.001.10">
<SctiesSttlmTxStsAdvc><TxId><AcctOwnrTxId>&xxe;</AcctOwnrTxId></TxId></SctiesSttlmTxStsAdvc>
</Document>
"""


@pytest.mark.parametrize("data", [BILLION_LAUGHS, EXTERNAL_ENTITY])
@pytest.mark.parametrize("platform", ["bank", "custodian"])
def test_a_doctype_is_refused_unparsed(platform: str, data: bytes) -> None:
    row = _whole(platform, data)
    assert row["reason"].startswith("XML declares a DOCTYPE: refused unparsed")


def test_truncated_xml_is_quarantined_whole() -> None:
    row = _whole("bank", CAMT[: len(CAMT) // 2])
    assert row["reason"].startswith("not well-formed XML (truncated or corrupt): ")
    assert row["line_number"] is not None
    # Nothing read before the error is kept: a truncated sese file loses its earlier messages.
    row = _whole("custodian", SESE024[: SESE024.rindex(b"<Message>")] + b"<Message><Docu")
    assert "not well-formed XML" in row["reason"]


def test_xml_without_iso_document_is_quarantined_whole() -> None:
    row = _whole("bank", b"<?xml version='1.0'?><Statement><Id>1</Id></Statement>")
    assert row["reason"] == (
        "no ISO 20022 Document element (namespace urn:iso:std:iso:20022:tech:xsd:<message>)"
        " in the file"
    )


@pytest.mark.parametrize("platform", ["bank", "custodian"])
@pytest.mark.parametrize(
    ("data", "reason"), [(b"", "empty file"), (b" \r\n", "file holds only whitespace")]
)
def test_empty_file(platform: str, data: bytes, reason: str) -> None:
    assert _whole(platform, data)["reason"] == reason


@pytest.mark.parametrize("platform", ["bank", "custodian"])
def test_neither_xml_nor_mt(platform: str) -> None:
    assert _whole(platform, b"hello world\n\x00")["reason"] == (
        "neither ISO 20022 XML nor SWIFT MT: no XML element, no {1: block, no :TAG: field"
    )


def test_a_decimal_comma_in_xml_is_invalid() -> None:
    data = CAMT.replace(b'<Amt Ccy="EUR">101400.50</Amt>', b'<Amt Ccy="EUR">101400,50</Amt>')
    extracted = parse_file("bank", "bank/camt.xml", data)
    row = _only(extracted)
    assert (row["field"], row["raw_value"], row["message_type"]) == (
        "Stmt/Ntry/Amt",
        "101400,50",
        "camt.053.001.04",
    )
    assert row["reason"].startswith("not an XML decimal")
    assert "',' is no decimal separator" in row["reason"]
    assert row["line_number"] == 31  # the Ntry's line
    assert not extracted.is_quarantined_whole
    # The message (both statements of the document) is kept out of every table.
    assert all(frame.is_empty() for frame in extracted.tables.values())


def test_a_value_beyond_the_scale_is_not_rounded() -> None:
    data = SESE024.replace(b"<Unit>1000</Unit>", b"<Unit>1000.1234567</Unit>")
    extracted = parse_file("custodian", "custodian/s.xml", data)
    row = _only(extracted)
    assert (row["field"], row["raw_value"], row["message_index"]) == (
        "TxDtls/SttlmQty/Qty",
        "1000.1234567",
        1,
    )
    assert "not rounded" in row["reason"]
    statuses = extracted.tables["custodian_settlement_statuses"]
    assert statuses["message_index"].to_list() == [2, 3]  # the other messages stay


def test_an_invalid_date_keeps_the_message_out() -> None:
    data = SESE024.replace(b"<Dt>2026-11-24</Dt>", b"<Dt>2026-02-30</Dt>")
    extracted = parse_file("custodian", "custodian/s.xml", data)
    row = _only(extracted)
    assert (row["field"], row["raw_value"], row["reason"]) == (
        "TxDtls/TradDt",
        "2026-02-30",
        "not a calendar date",
    )


def test_an_unknown_message_type_is_quarantined() -> None:
    data = CAMT.replace(b"camt.053.001.04", b"pacs.008.001.08")
    row = _only(parse_file("bank", "bank/p.xml", data))
    assert (row["message_type"], row["field"]) == ("pacs.008.001.08", "Document")
    assert row["reason"] == "message type pacs.008.001.08 is not handled by platform bank"
    mt103 = MT548.replace(b"{2:O548", b"{2:O103", 1)
    extracted = parse_file("custodian", "custodian/m.fin", mt103)
    row = _only(extracted)
    assert (row["message_type"], row["message_index"], row["line_number"]) == ("MT103", 1, 1)
    assert row["reason"] == "message type MT103 is not handled by platform custodian"
    assert extracted.tables["custodian_settlement_statuses"].height == 3


def test_a_missing_reference_is_quarantined() -> None:
    data = SESE024.replace(b"<AcctOwnrTxId>ALC-3-1</AcctOwnrTxId>", b"")
    row = _only(parse_file("custodian", "custodian/s.xml", data))
    assert row["reason"] == "required reference missing: neither AcctOwnrTxId nor AcctSvcrTxId"
    assert row["message_index"] == 3


def test_an_mt_message_with_a_broken_block() -> None:
    broken = MT548.replace(b"\r\n-}{5:{CHK:123456789ABC}}", b"\r\n{5:{CHK:123456789ABC}}", 1)
    extracted = parse_file("custodian", "custodian/m.fin", broken)
    row = _only(extracted)
    assert (row["message_index"], row["line_number"], row["message_type"], row["field"]) == (
        1,
        1,
        "MT548",
        "{4:",
    )
    assert row["reason"] == "text block {4: not terminated by a line '-}' (truncated message)"
    assert extracted.tables["custodian_settlement_statuses"]["message_index"].to_list() == [2, 3, 4]
    no_type = MT548.replace(b"{2:O548", b"{2:X548", 1)
    row = _only(parse_file("custodian", "custodian/m.fin", no_type))
    assert (row["field"], row["reason"]) == (
        "{2:",
        "application header block {2: names no message type",
    )


def test_a_truncated_mt_file() -> None:
    data = MT548[: MT548.rindex(b":16R:STAT")]
    extracted = parse_file("custodian", "custodian/m.fin", data)
    row = _only(extracted)
    assert (row["message_index"], row["field"]) == (4, "{4:")
    assert extracted.tables["custodian_settlement_statuses"].height == 3
    # Every message broken: nothing in the file parses.
    row = _whole("custodian", b"{1:F01BANKGB2LAXXX0000000000}{2:I548SUBCSGSGXXXXN}{4:\r\n:16R:GEN")
    assert row["reason"] == "text block {4: not terminated by a line '-}' (truncated message)"


def test_a_decimal_point_in_mt_is_invalid() -> None:
    data = MT548.replace(b":36B::SETT//UNIT/1000,", b":36B::SETT//UNIT/1000.5")
    row = _only(parse_file("custodian", "custodian/m.fin", data))
    assert (row["field"], row["raw_value"]) == (":36B::SETT", "1000.5")
    assert row["reason"].startswith("not an ISO 15022 decimal")


def test_a_missing_mt_field() -> None:
    data = MT548.replace(b":20C::SEME//SUB548-0003\r\n", b"")
    row = _only(parse_file("custodian", "custodian/m.fin", data))
    assert (row["message_index"], row["field"], row["reason"]) == (
        3,
        ":20C::SEME",
        "required field :20C::SEME is missing",
    )


def test_mt940_bad_statement_line_and_truncation() -> None:
    sample = (ISO / "abnamro.mt940.sta").read_bytes()
    bad = sample.replace(b":61:1105210523D11,59N426NONREF", b":61:1105210523D11.59N426NONREF")
    extracted = parse_file("bank", "bank/a.sta", bad)
    row = _only(extracted)
    assert (row["message_index"], row["line_number"], row["field"], row["raw_value"]) == (
        1,
        12,  # the :61: line itself
        ":61:",
        "1105210523D11.59N426NONREF",
    )
    # The bad entry is kept out on its own (with its :86:): the rest of its statement
    # loads, and the statement's entry count says one of its 8 entries is missing.
    statements = extracted.tables["bank_statements"]
    assert statements.select("message_index", "entry_count").rows() == [(1, 8), (2, 2)]
    entries = extracted.tables["bank_statement_entries"].filter(pl.col("message_index") == 1)
    assert entries["entry_index"].to_list() == [1, 3, 4, 5, 6, 7, 8]
    assert not entries["additional_info"].str.contains("DIRCKIII").any()
    truncated = sample[: sample.rindex(b":62M:")]
    extracted = parse_file("bank", "bank/a.sta", truncated)
    row = _only(extracted)
    assert (row["message_index"], row["line_number"], row["field"]) == (2, 29, ":62a:")
    assert row["reason"] == (
        "required field :62a: is missing or does not read: the statement and its 2 entries"
        " are kept out"
    )
    assert extracted.tables["bank_statements"]["message_index"].to_list() == [1]


def test_unknown_platform() -> None:
    with pytest.raises(ValueError, match="unknown platform 'nope'"):
        parse_file("nope", "x", b"")


def test_a_bad_header_timestamp_keeps_its_message_out() -> None:
    data = SESE024.replace(b"2026-11-25T07:15:30.250Z", b"2026-11-25 07:15")
    extracted = parse_file("custodian", "custodian/s.xml", data)
    row = _only(extracted)
    assert (row["field"], row["raw_value"], row["message_index"]) == (
        "AppHdr/CreDt",
        "2026-11-25 07:15",
        1,
    )
    assert row["reason"] == "not a date and time with a UTC offset"
    statuses = extracted.tables["custodian_settlement_statuses"]
    assert statuses["message_index"].to_list() == [2, 3]


def test_mt_and_xml_line_ends_and_encodings() -> None:
    """The same MT548 file with LF instead of CRLF line ends reads the same."""
    crlf = parse_file("custodian", "c/m.fin", MT548)
    lf = parse_file("custodian", "c/m.fin", MT548.replace(b"\r\n", b"\n"))
    assert lf.quarantine.is_empty()
    table = "custodian_settlement_statuses"
    assert lf.tables[table].drop("file_sha256").equals(crlf.tables[table].drop("file_sha256"))
