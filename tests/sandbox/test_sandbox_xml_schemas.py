"""Every ISO 20022 XML document the sandbox's custodian and bank write, and every sese.023 our
write-back sends, validates against its message structure.

The schemas in `tests/sandbox/schemas/` are our own restricted versions of the official
message definitions (the official XSDs cannot be fetched here): the real namespaces, element
names, order, cardinalities and simple types of the elements we use, the optional elements we
never emit left out (see each file's header). Parsing is safe: no network, no entities, no DTD.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from sandbox.generator import generate
from writers import sese023

SCHEMAS = Path(__file__).parent / "schemas"
ISO = "urn:iso:std:iso:20022:tech:xsd:"
MESSAGES = ("sese.024.001.10", "sese.025.001.10", "semt.002.001.10", "camt.053.001.08")
SESE023 = "sese.023.001.09"
PSET = "CRSTGB22"  # a corrected place of settlement (Euroclear UK & International's BIC)


def safe_parser() -> etree.XMLParser:
    return etree.XMLParser(
        no_network=True, resolve_entities=False, load_dtd=False, dtd_validation=False
    )


@pytest.fixture(scope="module")
def schemas() -> dict[str, etree.XMLSchema]:
    """{namespace: schema} of every message we emit or read."""
    out = {}
    for name in (*MESSAGES, SESE023):
        doc = etree.parse(str(SCHEMAS / f"{name}.xsd"), safe_parser())
        assert doc.getroot().get("targetNamespace") == ISO + name
        out[ISO + name] = etree.XMLSchema(doc)
    return out


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, etree._Element]]:
    """(file name, Document) of every ISO 20022 document in a three-day world: each Document
    of the custodian's envelopes (AppHdr + Document per Message) and each bank statement file."""
    out = tmp_path_factory.mktemp("xsd")
    generate(out, seed=7, trades=200, days=3)
    found = []
    for path in sorted((out / "custodian").glob("*.xml")):
        root = etree.parse(str(path), safe_parser()).getroot()
        assert root.tag == "Messages"
        for message in root:
            header, document = list(message)
            assert etree.QName(header).localname == "AppHdr"
            found.append((path.name, document))
    for path in sorted((out / "bank").glob("*.xml")):
        found.append((path.name, etree.parse(str(path), safe_parser()).getroot()))
    return found


def namespace(document: etree._Element) -> str:
    return etree.QName(document).namespace


def errors(schema: etree.XMLSchema, document: etree._Element) -> str:
    """'' when valid, else the schema's first errors."""
    if schema.validate(document):
        return ""
    return "; ".join(f"line {e.line}: {e.message}" for e in list(schema.error_log)[:3])


def test_schemas_are_our_own_restrictions_with_a_header(schemas: dict) -> None:
    for path in SCHEMAS.glob("*.xsd"):
        text = path.read_text(encoding="utf-8")
        assert "restrict" in text.split("-->")[0], path.name
        assert "<!ENTITY" not in text and "http://" not in text.replace(
            "http://www.w3.org/2001/XMLSchema", ""
        )


def test_every_generated_xml_document_validates(documents: list, schemas: dict) -> None:
    kinds: Counter[str] = Counter()
    for name, document in documents:
        ns = namespace(document)
        assert ns in schemas, f"{name}: no schema for {ns}"
        problem = errors(schemas[ns], document)
        assert not problem, f"{name} {ns.removeprefix(ISO)}: {problem}"
        kinds[ns.removeprefix(ISO)] += 1
    assert set(kinds) == set(MESSAGES), kinds
    assert all(count > 0 for count in kinds.values())


def instructions(documents: list) -> list[dict]:
    """One re-instruction row per instruction the custodian reported on (sese.024), as the
    write-back model would send it: our SSI's place of settlement instead of the custodian's."""
    ns = {"s": ISO + "sese.024.001.10"}
    rows = {}
    for _name, document in documents:
        if namespace(document) != ns["s"]:
            continue
        advice = document.find("s:SctiesSttlmTxStsAdvc", ns)
        tx = advice.find("s:TxDtls", ns)
        ref = advice.findtext("s:TxId/s:AcctOwnrTxId", namespaces=ns)
        amount = tx.find("s:SttlmAmt/s:Amt", ns)
        rows[ref] = {
            "instruction_ref": ref,
            "securities_movement_type": tx.findtext("s:SctiesMvmntTp", namespaces=ns),
            "payment_type": tx.findtext("s:Pmt", namespaces=ns),
            "trade_date": date.fromisoformat(tx.findtext("s:TradDt/s:Dt/s:Dt", namespaces=ns)),
            "settlement_date": date.fromisoformat(
                tx.findtext("s:SttlmDt/s:Dt/s:Dt", namespaces=ns)
            ),
            "isin": tx.findtext("s:FinInstrmId/s:ISIN", namespaces=ns),
            # as the warehouse holds them: decimal(28, 6)
            "quantity": Decimal(tx.findtext("s:SttlmQty/s:Qty/s:Unit", namespaces=ns)).quantize(
                Decimal("0.000001")
            ),
            "account": tx.findtext("s:SfkpgAcct/s:Id", namespaces=ns),
            "settlement_amount": Decimal(amount.text).quantize(Decimal("0.000001")),
            "currency_code": amount.get("Ccy"),
            "corrected_value": PSET,
        }
    return list(rows.values())


def test_every_sese023_the_writer_sends_validates(documents: list, schemas: dict) -> None:
    rows = instructions(documents)
    assert len(rows) > 50
    movements = Counter()
    for row in rows:
        document = etree.fromstring(sese023.render(row), safe_parser())
        problem = errors(schemas[ISO + SESE023], document)
        assert not problem, f"{row['instruction_ref']}: {problem}"
        movements[row["securities_movement_type"]] += 1
    assert set(movements) == {"RECE", "DELI"}


def test_a_sese023_without_a_known_amount_leaves_it_out_and_validates(
    documents: list, schemas: dict
) -> None:
    row = {**instructions(documents)[0], "settlement_amount": None}
    document = etree.fromstring(sese023.render(row), safe_parser())
    assert not errors(schemas[ISO + SESE023], document)
    assert (
        document.find(f"{{{ISO + SESE023}}}SctiesSttlmTxInstr/{{{ISO + SESE023}}}SttlmAmt") is None
    )


def test_sese023_rejects_an_amount_finer_than_the_schema_allows() -> None:
    with pytest.raises(ValueError):
        sese023.xml_decimal(Decimal("1.000001"), 5)
    assert sese023.xml_decimal(Decimal("12340.000000"), 5) == "12340"
    assert sese023.xml_decimal(Decimal("0.500000"), 5) == "0.5"


# --- each schema can fail -----------------------------------------------------------------


def find(document: etree._Element, path: str) -> etree._Element:
    ns = {"s": namespace(document)}
    found = document.find("/".join(f"s:{step}" for step in path.split("/")), ns)
    assert found is not None, path
    return found


def swap(document: etree._Element, path: str, first: str, second: str) -> None:
    """Put child `second` before child `first` under `path`."""
    parent = find(document, path)
    a, b = find(parent, first), find(parent, second)
    a.addprevious(b)


def rename(document: etree._Element, path: str, new: str) -> None:
    element = find(document, path)
    element.tag = etree.QName(namespace(document), new).text


def set_text(path: str, text: str) -> Callable[[etree._Element], None]:
    def mutate(document: etree._Element) -> None:
        find(document, path).text = text

    return mutate


def set_ccy(path: str, ccy: str) -> Callable[[etree._Element], None]:
    def mutate(document: etree._Element) -> None:
        find(document, path).set("Ccy", ccy)

    return mutate


SESE024 = "SctiesSttlmTxStsAdvc"
SESE025 = "SctiesSttlmTxConf"
SEMT002 = "SctiesBalCtdyRpt"
CAMT053 = "BkToCstmrStmt"
INVALID: dict[str, list[tuple[str, Callable[[etree._Element], None]]]] = {
    "sese.024.001.10": [
        ("bad ISIN", set_text(f"{SESE024}/TxDtls/FinInstrmId/ISIN", "de0007164600")),
        ("TradDt before SttlmDt", lambda d: swap(d, f"{SESE024}/TxDtls", "SttlmDt", "TradDt")),
        ("reference over 35", set_text(f"{SESE024}/TxId/AcctOwnrTxId", "A" * 36)),
        (
            "unknown transaction type",
            set_text(f"{SESE024}/TxDtls/SttlmParams/SctiesTxTp/Cd", "XXXX"),
        ),
        ("unknown reason code", lambda d: set_reason(d, "ZZZZ")),
    ],
    "sese.025.001.10": [
        ("bad ISIN", set_text(f"{SESE025}/FinInstrmId/ISIN", "DE000716460X")),
        ("SttlmDt before TradDt", lambda d: swap(d, f"{SESE025}/TradDtls", "TradDt", "SttlmDt")),
        ("lower-case currency", set_ccy(f"{SESE025}/SttldAmt/Amt", "eur")),
        ("negative amount", set_text(f"{SESE025}/SttldAmt/Amt", "-1.00")),
    ],
    "semt.002.001.10": [
        (
            "Qty before ShrtLngInd",
            lambda d: swap(d, f"{SEMT002}/BalForAcct/AggtBal", "ShrtLngInd", "Qty"),
        ),
        (
            "ShrtLngPos is not a Balance6 element",
            lambda d: rename(d, f"{SEMT002}/BalForAcct/AggtBal/ShrtLngInd", "ShrtLngPos"),
        ),
        ("bad ISIN", set_text(f"{SEMT002}/BalForAcct/FinInstrmId/ISIN", "XX12")),
        ("not a date", set_text(f"{SEMT002}/StmtGnlDtls/StmtDtTm/Dt", "2026-13-01")),
    ],
    "camt.053.001.08": [
        ("bad currency", set_ccy(f"{CAMT053}/Stmt/Bal/Amt", "EURO")),
        ("six decimals", set_text(f"{CAMT053}/Stmt/Bal/Amt", "1.123456")),
        ("Bal before Acct", lambda d: swap(d, f"{CAMT053}/Stmt", "Acct", "Bal")),
        ("bad BIC", set_text(f"{CAMT053}/Stmt/Acct/Svcr/FinInstnId/BICFI", "BANK")),
        ("not a date-time", set_text(f"{CAMT053}/GrpHdr/CreDtTm", "2026-11-24")),
    ],
}


@pytest.mark.parametrize(
    ("message", "case"),
    [(message, n) for message, cases in INVALID.items() for n in range(len(cases))],
    ids=[f"{message}:{label}" for message, cases in INVALID.items() for label, _ in cases],
)
def test_each_schema_rejects_a_broken_document(
    documents: list, schemas: dict, message: str, case: int
) -> None:
    label, mutate = INVALID[message][case]
    schema = schemas[ISO + message]
    originals = [d for _name, d in documents if namespace(d) == ISO + message]
    # the first document that has what the mutation needs (e.g. a TradDt, a balance)
    for original in originals:
        document = copy.deepcopy(original)
        try:
            mutate(document)
        except AssertionError:
            continue
        assert schema.validate(original)
        assert not schema.validate(document), f"{message}: {label} was accepted"
        return
    pytest.fail(f"no {message} document to break by {label}")


def set_reason(document: etree._Element, code: str) -> None:
    ns = {"s": namespace(document)}
    reason = document.find(".//s:Rsn/s:Cd/s:Cd", ns)
    assert reason is not None  # only advices with a reason (unmatched, pending, failing)
    reason.text = code


def bad_depository(document: etree._Element, bic: str) -> None:
    ns = {"s": namespace(document)}
    found = document.find(".//s:Dpstry/s:Id/s:AnyBIC", ns)
    assert found is not None
    found.text = bic


def reinstruction(documents: list) -> etree._Element:
    return etree.fromstring(sese023.render(instructions(documents)[0]), safe_parser())


@pytest.mark.parametrize(
    ("label", "mutate"),
    [
        (
            "Lnkgs/Ref/AcctOwnrTxId is not a References41Choice",
            lambda d: rename(d, "SctiesSttlmTxInstr/Lnkgs/Ref/SctiesSttlmTxId", "AcctOwnrTxId"),
        ),
        (
            "FinInstrmId before TradDtls",
            lambda d: swap(d, "SctiesSttlmTxInstr", "TradDtls", "FinInstrmId"),
        ),
        ("TxId over 35", set_text("SctiesSttlmTxInstr/TxId", "R" * 36)),
        ("bad place of settlement", lambda d: bad_depository(d, "crstgb22")),
    ],
)
def test_sese023_schema_rejects_a_broken_instruction(
    documents: list, schemas: dict, label: str, mutate: Callable
) -> None:
    document = reinstruction(documents)
    schema = schemas[ISO + SESE023]
    assert schema.validate(document)
    mutate(document)
    assert not schema.validate(document), label
