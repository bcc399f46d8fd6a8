"""Optional fields left out (`omit_optional`): every message is the full world's but for the
optional fields the standards allow to go, each left out only where a reader derives it or
needs it not; the documents stay valid, the extractors read them, and no label moves."""

from __future__ import annotations

import re
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from lxml import etree

from extractors.base import parse_file
from sandbox.generator import generate
from sandbox.market import CURRENCY_MINOR_UNITS
from sandbox.optional_fields import parse_standards
from tests.sandbox.iso15022_syntax import check_text_block, split_messages
from tests.sandbox.test_sandbox_settlement import fin_messages
from tests.sandbox.test_sandbox_xml_schemas import ISO, MESSAGES, SCHEMAS, errors, safe_parser

SEED, TRADES, DAYS = 7, 200, 3
# Per standard, what may go (FIX tags; XML element paths; MT field lines by tag and qualifier).
FIX_OPTIONAL = {"381", "118", "154"}


@pytest.fixture(scope="module")
def worlds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    full, omitted = tmp_path_factory.mktemp("full"), tmp_path_factory.mktemp("omitted")
    generate(full, seed=SEED, trades=TRADES, days=DAYS)
    generate(omitted, seed=SEED, trades=TRADES, days=DAYS, omit_optional="all")
    return full, omitted


def pairs(worlds: tuple[Path, Path], pattern: str) -> list[tuple[Path, Path]]:
    full, omitted = worlds
    found = [(full / p.relative_to(omitted), p) for p in sorted(omitted.glob(pattern))]
    assert found
    return found


def test_the_ground_truth_is_the_full_worlds(worlds: tuple[Path, Path]) -> None:
    full, omitted = worlds
    assert (omitted / "ground_truth.json").read_bytes() == (full / "ground_truth.json").read_bytes()
    for platform in ("ctm", "ccp", "arm", "refdata"):  # nothing optional left out there
        for path in sorted((omitted / platform).iterdir()):
            assert path.read_bytes() == (full / platform / path.name).read_bytes()


def test_standards_are_chosen_by_name() -> None:
    assert parse_standards("all") == {"fix", "iso20022", "iso15022"}
    assert parse_standards("fix, iso15022") == {"fix", "iso15022"}
    assert parse_standards(None) == frozenset()
    with pytest.raises(ValueError, match="unknown standard"):
        parse_standards("fix,swift")


# --- FIX 4.4 AllocationInstruction -------------------------------------------------------------


def fix_fields(line: bytes) -> list[tuple[str, str]]:
    fields = [f.split("=", 1) for f in line.decode("ascii").split("\x01") if f]
    return [(t, v) for t, v in fields if t not in ("9", "10")]  # framing follows the body


def dropped(whole: list[tuple[str, str]], kept: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The fields of `whole` that `kept` leaves out, `kept` being `whole` in order but for them."""
    out, position = [], 0
    for item in whole:
        if position < len(kept) and kept[position] == item:
            position += 1
        else:
            out.append(item)
    assert position == len(kept), "a field was added, changed or moved"
    return out


def money(value: Decimal, ccy: str) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-CURRENCY_MINOR_UNITS[ccy]), ROUND_HALF_UP)


def test_allocation_amounts_go_only_where_the_reader_derives_them(
    worlds: tuple[Path, Path],
) -> None:
    gone: Counter[str] = Counter()
    kept: Counter[str] = Counter()
    derived = 0
    for full_path, path in pairs(worlds, "oms/*_allocations.fix"):
        for full_line, line in zip(
            full_path.read_bytes().splitlines(), path.read_bytes().splitlines(), strict=True
        ):
            whole, fields = fix_fields(full_line), fix_fields(line)
            missing = dropped(whole, fields)
            assert {t for t, _ in missing} <= FIX_OPTIONAL
            gone.update(t for t, _ in missing)
            kept.update(t for t, _ in fields if t in FIX_OPTIONAL)
            block_end = next((i for i, (t, _) in enumerate(whole) if t == "78"), len(whole))
            derived += _check_derivations(dict(whole[:block_end]), whole, missing)
    assert all(gone[t] > 20 and kept[t] > 20 for t in FIX_OPTIONAL), (gone, kept)
    assert derived == sum(gone.values())


def _check_derivations(head: dict, whole: list[tuple[str, str]], missing: list) -> int:
    """Each value left out is what the message's other fields give: gross = 53 x 6 rounded,
    a line's net = its 80 x 6 rounded plus (buy) or minus (sell) 12 and its 137 fees, the
    block's net = the gross plus or minus every line's charges."""
    ccy, side, px = head["15"], head["54"], Decimal(head["6"])
    sign = 1 if side == "1" else -1
    lines: list[dict[str, list[str]]] = []
    for tag, value in whole:
        if tag == "79":
            lines.append({})
        if lines:
            lines[-1].setdefault(tag, []).append(value)
    charges, checked = Decimal(0), 0
    for line in lines:
        gross = money(int(line["80"][0]) * px, ccy)
        charge = Decimal(line["12"][0]) + sum((Decimal(a) for a in line.get("137", [])), Decimal(0))
        charges += charge
        if ("154", line["154"][0]) in missing:
            assert gross + sign * charge == Decimal(line["154"][0])
            checked += 1
    for tag, value in missing:
        if tag == "381":
            assert money(int(head["53"]) * px, ccy) == Decimal(value)
        if tag == "118":
            gross = money(int(head["53"]) * px, ccy)
            assert gross + sign * money(charges, ccy) == Decimal(value)
        checked += tag != "154"
    return checked


# --- ISO 20022 -------------------------------------------------------------------------------


def xml_tree(element: etree._Element, prefix: str = "") -> list[str]:
    """Every element as its path (with its text), document order."""
    out = []
    for child in element:
        path = f"{prefix}/{etree.QName(child).localname}"
        out.append(f"{path}={(child.text or '').strip()}")
        out.extend(xml_tree(child, path))
    return out


def removed(full: list[str], omitted: list[str]) -> set[str]:
    """The element paths of `full` missing from `omitted` (with their subtrees folded in)."""
    left = Counter(full) - Counter(omitted)
    assert not Counter(omitted) - Counter(full), "an element was added or changed"
    tops = {p.split("=")[0] for p in left}
    return {t for t in tops if not any(t.startswith(o + "/") for o in tops if o != t)}


def test_custodian_documents_lose_only_what_their_dates_and_instructions_give(
    worlds: tuple[Path, Path],
) -> None:
    gone: Counter[str] = Counter()
    for full_path, path in pairs(worlds, "custodian/*.xml"):
        day = f"{path.name[:4]}-{path.name[4:6]}-{path.name[6:8]}"
        full_root = etree.parse(str(full_path), safe_parser()).getroot()
        root = etree.parse(str(path), safe_parser()).getroot()
        for whole, message in zip(full_root, root, strict=True):
            document = message[-1]
            kind = etree.QName(document).namespace.removeprefix(ISO)[:8]
            lost = removed(xml_tree(whole), xml_tree(message))
            for element in lost:
                gone[f"{kind}{element}"] += 1
            if "/AppHdr" in lost:
                assert len(message) == 1  # a bare Document in the envelope
                if kind == "sese.024":  # dated by its intended settlement date instead
                    assert _text(document, "TxDtls/SttlmDt/Dt/Dt") == day
            if "/Document/SctiesSttlmTxConf/SttldAmt" in lost:
                assert _text(document, "AddtlParams/PrtlSttlm") is None  # full settlements
    assert set(gone) == {
        "sese.024/AppHdr", "sese.024/Document/SctiesSttlmTxStsAdvc/TxDtls/SttlmAmt",
        "sese.025/AppHdr", "sese.025/Document/SctiesSttlmTxConf/SttldAmt", "semt.002/AppHdr",
    }, gone  # fmt: skip


def _text(document: etree._Element, path: str) -> str | None:
    node = document[0]
    for step in path.split("/"):
        node = next((c for c in node if etree.QName(c).localname == step), None)
        if node is None:
            return None
    return node.text


def test_bank_entries_lose_value_dates_equal_to_booking_and_informational_parts(
    worlds: tuple[Path, Path],
) -> None:
    gone: Counter[str] = Counter()
    for full_path, path in pairs(worlds, "bank/*.xml"):
        full_root = etree.parse(str(full_path), safe_parser()).getroot()
        root = etree.parse(str(path), safe_parser()).getroot()
        full_entries = [e for e in full_root.iter() if etree.QName(e).localname == "Ntry"]
        entries = [e for e in root.iter() if etree.QName(e).localname == "Ntry"]
        for whole, entry in zip(full_entries, entries, strict=True):
            lost = removed(xml_tree(whole), xml_tree(entry))
            gone.update(lost)
            if "/ValDt" in lost:
                assert _path(whole, "ValDt/Dt") == _path(whole, "BookgDt/Dt")
            if "/NtryDtls/TxDtls/AddtlTxInf" in lost:
                assert _path(whole, "NtryDtls/TxDtls/Refs/EndToEndId") != "NOTPROVIDED"
    assert set(gone) == {"/ValDt", "/AcctSvcrRef", "/NtryDtls/TxDtls/AddtlTxInf"}, gone


def _path(element: etree._Element, path: str) -> str | None:
    node = element
    for step in path.split("/"):
        node = next((c for c in node if etree.QName(c).localname == step), None)
        if node is None:
            return None
    return node.text


def test_every_document_still_validates(worlds: tuple[Path, Path]) -> None:
    schemas = {
        ISO + name: etree.XMLSchema(etree.parse(str(SCHEMAS / f"{name}.xsd"), safe_parser()))
        for name in MESSAGES
    }
    _, omitted = worlds
    seen = 0
    for path in sorted([*omitted.glob("custodian/*.xml"), *omitted.glob("bank/*.xml")]):
        root = etree.parse(str(path), safe_parser()).getroot()
        documents = [m[-1] for m in root] if root.tag == "Messages" else [root]
        for document in documents:
            schema = schemas[etree.QName(document).namespace]
            assert not errors(schema, document), path.name
            seen += 1
    assert seen > 1000


# --- ISO 15022 -------------------------------------------------------------------------------


def test_custodian_mt_messages_lose_only_prep_and_the_status_amount(
    worlds: tuple[Path, Path],
) -> None:
    gone: Counter[str] = Counter()
    for full_path, path in pairs(worlds, "custodian/*.fin"):
        full_messages = split_messages(full_path.read_bytes())
        messages = split_messages(path.read_bytes())
        for (mt, whole), (same_mt, text) in zip(full_messages, messages, strict=True):
            assert mt == same_mt
            fields, full_fields = check_text_block(text), check_text_block(whole)
            lost = list((Counter(full_fields) - Counter(fields)).elements())
            assert not Counter(fields) - Counter(full_fields)
            for tag, content in lost:
                gone[f"MT{mt}:{tag}:{content[:6]}"] += 1
                if mt == "548" and content.startswith(":PREP//"):
                    # dated by its intended settlement date instead
                    settle = next(c for t, c in full_fields if c.startswith(":SETT//")
                                  and t == "98A")  # fmt: skip
                    assert settle[7:] == content[7:15]
    assert set(gone) == {"MT548:98C::PREP/", "MT548:19A::SETT/", "MT545:98C::PREP/",
                         "MT547:98C::PREP/"}, gone  # fmt: skip


def test_mt940_lines_lose_entry_dates_equal_to_value_dates_and_dvp_narratives(
    worlds: tuple[Path, Path],
) -> None:
    gone: Counter[str] = Counter()
    for full_path, path in pairs(worlds, "bank/*.fin"):
        full_messages, messages = fin_messages(full_path), fin_messages(path)  # syntax checked
        for (_, whole), (_, fields) in zip(full_messages, messages, strict=True):
            assert [t for t, _ in fields if t != "86"] == [t for t, _ in whole if t != "86"]
            for (tag, value), (_, full_value) in zip(
                [f for f in fields if f[0] != "86"], [f for f in whole if f[0] != "86"],
                strict=True,
            ):  # fmt: skip
                if tag == "61" and value != full_value:
                    assert full_value[:6] + full_value[10:] == value  # MMDD entry date gone
                    assert full_value[2:6] == full_value[6:10]  # it was the value date
                    gone["61 entry date"] += 1
            narratives = [v for t, v in fields if t == "86"]
            full_narratives = [v for t, v in whole if t == "86"]
            lost = Counter(full_narratives) - Counter(narratives)
            assert all(v.startswith("DVP ") for v in lost.elements())
            gone["86"] += sum(lost.values())
    assert gone["61 entry date"] > 20 and gone["86"] > 20


# --- the extractors read them -----------------------------------------------------------------


def test_the_extractors_read_every_file_with_the_same_dates(worlds: tuple[Path, Path]) -> None:
    full, omitted = worlds
    for path in sorted(omitted.glob("*/*")):
        name = f"{path.parent.name}/{path.name}"
        extracted = parse_file(path.parent.name, name, path.read_bytes())
        assert not extracted.is_quarantined_whole and extracted.quarantine.is_empty(), (
            name,
            extracted.quarantine.head(3).to_dicts(),
        )
        reference = parse_file(path.parent.name, name, (full / name).read_bytes())
        for table, frame in extracted.tables.items():
            if "business_date" in frame.columns:
                assert frame["business_date"].to_list() == (
                    reference.tables[table]["business_date"].to_list()
                ), (name, table)


def test_nothing_is_left_out_without_the_option(worlds: tuple[Path, Path]) -> None:
    full, _ = worlds
    text = (full / "oms" / "20261124_allocations.fix").read_text("ascii")
    assert text.count("\x01154=") == text.count("\x01467=")
    holdings = (full / "custodian" / "20261124_holdings.xml").read_bytes()
    assert re.search(rb"<Message><Document", holdings) is None
