"""custodian: a corrected settlement instruction, ISO 20022 sese.023, linked to the previous one.

The corrected instruction carries a new transaction id (`<previous>-R<n>`) and names the
instruction it replaces in `Lnkgs/Ref/SctiesSttlmTxId`; the receiving or delivering
settlement parties name our SSI's place of settlement (the CSD's BIC) as `Dpstry`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from xml.etree import ElementTree as ET

NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:sese.023.001.09"


def _sub(parent: ET.Element, path: str, text: object | None = None) -> ET.Element:
    node = parent
    for name in path.split("/"):
        node = ET.SubElement(node, name)
    if text is not None:
        node.text = str(text)
    return node


def corrected_reference(previous: str, revision: int = 1) -> str:
    reference = f"{previous}-R{revision}"
    if len(reference) > 35:  # Max35Text
        raise ValueError(f"instruction reference too long for sese.023: {reference!r}")
    return reference


def xml_decimal(value: object, max_fraction_digits: int) -> str:
    """A plain XML decimal without trailing zeros (12340.000000 -> 12340): the warehouse keeps
    six decimals, an ActiveCurrencyAndAmount allows at most five."""
    number = Decimal(str(value))
    text = format(number.normalize() if number else Decimal(0), "f")
    fraction = text.partition(".")[2]
    if len(fraction) > max_fraction_digits:
        raise ValueError(f"{value} has more than {max_fraction_digits} decimals")
    return text


def render(row: dict[str, Any]) -> bytes:
    """sese.023 re-instructing `instruction_ref` with the corrected place of settlement."""
    previous = row["instruction_ref"]
    movement = row["securities_movement_type"]  # RECE or DELI
    ET.register_namespace("", NAMESPACE)
    document = ET.Element(f"{{{NAMESPACE}}}Document")
    instruction = _sub(document, "SctiesSttlmTxInstr")
    _sub(instruction, "TxId", corrected_reference(previous))
    kind = _sub(instruction, "SttlmTpAndAddtlParams")
    _sub(kind, "SctiesMvmntTp", movement)
    _sub(kind, "Pmt", row.get("payment_type") or "APMT")
    links = _sub(instruction, "Lnkgs")
    _sub(links, "PrcgPos/Cd", "AFTE")
    _sub(links, "Ref/SctiesSttlmTxId", previous)
    trade = _sub(instruction, "TradDtls")
    _sub(trade, "TradDt/Dt/Dt", row["trade_date"].isoformat())
    _sub(trade, "SttlmDt/Dt/Dt", row["settlement_date"].isoformat())
    _sub(instruction, "FinInstrmId/ISIN", row["isin"])
    quantity = _sub(instruction, "QtyAndAcctDtls")
    _sub(quantity, "SttlmQty/Qty/Unit", xml_decimal(row["quantity"], 17))
    _sub(quantity, "SfkpgAcct/Id", row["account"])
    _sub(instruction, "SttlmParams/SctiesTxTp/Cd", "TRAD")
    parties = "RcvgSttlmPties" if movement == "RECE" else "DlvrgSttlmPties"
    _sub(instruction, f"{parties}/Dpstry/Id/AnyBIC", row["corrected_value"])
    # SttlmAmt is optional in sese.023: left out when no net amount can be had (neither the
    # allocation nor a matched confirmation states its charges) rather than invented.
    if row["settlement_amount"] is not None:
        amount = _sub(instruction, "SttlmAmt")
        amount_text = xml_decimal(row["settlement_amount"], 5)
        _sub(amount, "Amt", amount_text).set("Ccy", row["currency_code"])
        _sub(amount, "CdtDbtInd", "DBIT" if movement == "RECE" else "CRDT")
    ET.indent(document)
    return ET.tostring(document, encoding="utf-8", xml_declaration=True) + b"\n"
