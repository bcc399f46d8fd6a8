"""custodian: the global custodian's ISO 20022 XML and the Asian sub-custodian's ISO 15022 MT.

Settlement status advices (sese.024, MT548), settlement confirmations (sese.025,
MT544-547, partial settlements included) and holdings statements (semt.002, MT535). Every
status and confirmation names our instruction by its reference (AcctOwnrTxId; MT linkage
:20C::RELA//), the IndividualAllocID of the allocation, and the custodian's own reference
(AcctSvcrTxId; :20C::SEME//). The syntax of a file (XML or MT) and each message's type
come from the content; any version of the XML messages is read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from functools import partial

import polars as pl

from extractors.batches import BATCH_MESSAGES, combined, every_nth, in_ranges, line_breaks
from extractors.extracted import ExtractedFile
from extractors.iso20022 import Reader, XmlMessage, timestamp
from extractors.records import Problems, Syntax, Table, extract_result, new_tables
from extractors.schemas import LINEAGE, RAW_TABLES
from extractors.swift import MtMessage, MtRejection, read_mt
from extractors.xml_files import quarantine_unhandled, xml_batches

PLATFORM = "custodian"
STATUSES = "custodian_settlement_statuses"
CONFIRMATIONS = "custodian_settlement_confirmations"
HOLDINGS = "custodian_holdings"
_TABLES = (STATUSES, CONFIRMATIONS, HOLDINGS)
COLUMNS: dict[str, tuple[str, ...]] = {
    name: tuple(c for c in RAW_TABLES[name] if c not in LINEAGE) for name in _TABLES
}

Row = dict[str, object]


def parse(source_file: str, data: bytes, sha256: str) -> ExtractedFile:
    """One delivered custodian file (XML or MT, told apart by its content)."""
    return combined(parse_batches(source_file, data, sha256, BATCH_MESSAGES))


def parse_batches(
    source_file: str, data: bytes, sha256: str, batch_messages: int
) -> Iterator[ExtractedFile]:
    """The file in batches of `batch_messages` messages (extractors.batches)."""
    if is_xml(data):
        tables = partial(new_tables, PLATFORM, COLUMNS, _XML_LABELS)
        return xml_batches(PLATFORM, source_file, data, sha256, tables, _map_xml, batch_messages)
    # Cut at message starts only where a range decodes as the whole file does (ASCII).
    if data.isascii() and b"{1:" in data:
        starts = _MT_START.finditer(data)
        bounds = every_nth((m.start() for m in starts), batch_messages)
        parse_range = partial(_parse_mt, source_file, sha256=sha256)
        return in_ranges(data, bounds, parse_range, line_breaks)
    return iter([_parse_mt(source_file, data, sha256)])


_MT_START = re.compile(rb"\{1:")


def is_xml(data: bytes) -> bool:
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<") or data.startswith((b"\xff\xfe", b"\xfe\xff"))


def _commit(tables: Mapping[str, Table], table: str, row: Row, line: int, index: int) -> None:
    tables[table].rows.append(
        (index, line, row.get("business_date"), *map(row.get, COLUMNS[table]))
    )


# --- ISO 20022 XML -------------------------------------------------------------------------

_XML_LABELS: dict[str, dict[str, str]] = {
    STATUSES: {
        "created_at": "AppHdr/CreDt",
        "trade_date": "TxDtls/TradDt",
        "intended_settlement_date": "TxDtls/SttlmDt",
        "settlement_quantity": "TxDtls/SttlmQty/Qty",
        "settlement_amount": "TxDtls/SttlmAmt/Amt",
    },
    CONFIRMATIONS: {
        "created_at": "AppHdr/CreDt",
        "trade_date": "TradDtls/TradDt",
        "intended_settlement_date": "TradDtls/SttlmDt",
        "effective_settlement_date": "TradDtls/FctvSttlmDt",
        "settled_quantity": "QtyAndAcctDtls/SttldQty",
        "previously_settled_quantity": "QtyAndAcctDtls/PrevslySttldQty",
        "remaining_quantity": "QtyAndAcctDtls/RmngToBeSttldQty",
        "settled_amount": "SttlmParams/SttldAmt/Amt",
    },
    HOLDINGS: {
        "created_at": "AppHdr/CreDt",
        "statement_date": "StmtGnlDtls/StmtDtTm",
        "aggregate_quantity": "BalForAcct/AggtBal",
        "available_quantity": "BalForAcct/AvlblBal",
        "holding_value": "BalForAcct/AcctBaseCcyAmts/HldgVal/Amt",
    },
}


def _map_xml(message: XmlMessage, tables: Mapping[str, Table], problems: Problems) -> None:
    mapper = _XML_MAPPERS.get(message.family) if message.is_iso else None
    if mapper is None or message.body is None:
        quarantine_unhandled(PLATFORM, message, problems)
        return
    mapper(message, tables, problems)


def _header(message: XmlMessage, x: Reader) -> Row:
    head = Reader(message.header_namespace or "")
    created_at, created_local, offset = timestamp(head.text(message.header, "CreDt"))
    return {
        "message_format": message.message_format,
        "message_id": head.text(message.header, "BizMsgIdr"),
        "created_at": created_at,
        "created_local": created_local,
        "created_utc_offset": offset,
    }


def _transaction(x: Reader, body: object, details: object) -> Row:
    return {
        "account_owner_tx_id": x.text(body, ".//AcctOwnrTxId"),
        "account_servicer_tx_id": x.text(body, ".//AcctSvcrTxId"),
        "market_infrastructure_tx_id": x.text(body, ".//MktInfrstrctrTxId"),
        "safekeeping_account": x.first_text(details, ".//SfkpgAcct/Id", ".//SfkpgAcct/Id/Id"),
        "isin": x.text(details, ".//FinInstrmId/ISIN"),
        "securities_movement_type": x.text(details, ".//SctiesMvmntTp"),
        "payment_type": x.text(details, ".//Pmt"),
        "trade_date": x.date(details, ".//TradDt"),
        "intended_settlement_date": x.date(details, ".//SttlmDt"),
        # The depository of the settlement parties is the place of settlement (PSET).
        "place_of_settlement": x.first_text(
            details,
            ".//DlvrgSttlmPties/Dpstry/Id/AnyBIC",
            ".//RcvgSttlmPties/Dpstry/Id/AnyBIC",
        ),
    }


def _missing_reference(message: XmlMessage, row: Row, problems: Problems) -> bool:
    if row["account_owner_tx_id"] is None and row["account_servicer_tx_id"] is None:
        problems.add(
            message.line_number,
            message.message_index,
            message.message_format,
            "TxId/AcctOwnrTxId",
            None,
            "required reference missing: neither AcctOwnrTxId nor AcctSvcrTxId",
        )
        return True
    return False


def _sese024(message: XmlMessage, tables: Mapping[str, Table], problems: Problems) -> None:
    x = Reader(message.namespace)
    body = message.body
    details = x.find(body, "TxDtls")
    row = {**_header(message, x), **_transaction(x, body, details if details is not None else body)}
    if _missing_reference(message, row, problems):
        return
    texts = []
    found = False
    for kind, path in (
        ("processing", "PrcgSts"),
        ("matching", "MtchgSts"),
        ("settlement", "SttlmSts"),
    ):
        status, codes, text = x.codes(x.find(body, path))
        found = found or status is not None
        row[f"{kind}_status"] = status
        row[f"{kind}_reason_codes"] = codes
        if text:
            texts.append(text)
    if not found:
        problems.add(
            message.line_number,
            message.message_index,
            message.message_format,
            "PrcgSts",
            None,
            "no processing (PrcgSts), matching (MtchgSts) or settlement (SttlmSts) status",
        )
        return
    row["reason_text"] = "\n".join(texts) or None
    quantity_type, quantity = x.quantity(details, "SttlmQty")
    amount, currency = x.amount(details, "SttlmAmt")
    row.update(
        message_function=None,
        settlement_quantity_type=quantity_type,
        settlement_quantity=quantity,
        settlement_amount=amount,
        settlement_currency=currency,
        settlement_credit_debit=x.text(details, "SttlmAmt/CdtDbtInd"),
    )
    local = row["created_local"]
    row["business_date"] = (
        local[:10] if isinstance(local, str) else row["intended_settlement_date"]
    ) or row["trade_date"]
    _commit(tables, STATUSES, row, message.line_number, message.message_index)


def _sese025(message: XmlMessage, tables: Mapping[str, Table], problems: Problems) -> None:
    x = Reader(message.namespace)
    body = message.body
    row = {**_header(message, x), **_transaction(x, body, body)}
    if _missing_reference(message, row, problems):
        return
    quantity_type, quantity = x.quantity(body, ".//SttldQty")
    effective = x.date(body, ".//FctvSttlmDt")
    for value, field in ((effective, "TradDtls/FctvSttlmDt"), (quantity, "SttldQty")):
        if value is None:
            problems.add(
                message.line_number,
                message.message_index,
                message.message_format,
                field,
                None,
                f"required element {field} is missing",
            )
            return
    amount, currency = x.amount(body, ".//SttldAmt")
    partial = x.first_text(body, ".//PrtlSttlm/Cd", ".//PrtlSttlm")
    row.update(
        message_function=None,
        effective_settlement_date=effective,
        settled_quantity_type=quantity_type,
        settled_quantity=quantity,
        # PrevslySttldQty in sese.025.001.10; PrvslySttldQty as some senders spell it.
        previously_settled_quantity=(
            x.quantity(body, ".//PrevslySttldQty")[1] or x.quantity(body, ".//PrvslySttldQty")[1]
        ),
        remaining_quantity=x.quantity(body, ".//RmngToBeSttldQty")[1],
        settled_amount=amount,
        settled_currency=currency,
        settled_credit_debit=x.text(body, ".//SttldAmt/CdtDbtInd"),
        partial_settlement=partial,
        is_partial=partial is not None,
        business_date=effective,
    )
    _commit(tables, CONFIRMATIONS, row, message.line_number, message.message_index)


def _semt002(message: XmlMessage, tables: Mapping[str, Table], problems: Problems) -> None:
    x = Reader(message.namespace)
    body = message.body
    general = x.find(body, "StmtGnlDtls")
    statement_date = x.date(general, "StmtDtTm")
    if statement_date is None:
        problems.add(
            message.line_number,
            message.message_index,
            message.message_format,
            "StmtGnlDtls/StmtDtTm",
            None,
            "required element StmtGnlDtls/StmtDtTm is missing",
        )
        return
    common = {
        **_header(message, x),
        "statement_id": x.first_text(general, "StmtId", "RptNb/Lng", "RptNb/Shrt"),
        "statement_date": statement_date,
        "statement_basis": x.first_text(general, "StmtBsis/Cd", "StmtBsis/Prtry/Id"),
        "business_date": statement_date,
    }
    account = x.text(body, "SfkpgAcct/Id")
    balances = [(account, b) for b in x.findall(body, "BalForAcct")]
    for sub in x.findall(body, "SubAcctDtls"):
        sub_account = x.text(sub, "SfkpgAcct/Id") or account
        balances.extend((sub_account, b) for b in x.findall(sub, "BalForSubAcct"))
    rows = []
    for acct, balance in balances:
        quantity_type, quantity = x.quantity(balance, "AggtBal")
        line = balance.sourceline or message.line_number
        if quantity is None:
            problems.add(
                line,
                message.message_index,
                message.message_format,
                "BalForAcct/AggtBal",
                None,
                "required element BalForAcct/AggtBal is missing",
            )
            return
        # ShrtLngInd in semt.002.001.10 (Balance6); ShrtLngPos in other balance types.
        side = x.first_text(balance, "AggtBal/ShrtLngInd", "AggtBal//ShrtLngPos")
        if side == "SHOR" and not quantity.startswith("-"):
            quantity = "-" + quantity
        value, currency = x.amount(balance, ".//AcctBaseCcyAmts/HldgVal")
        rows.append(
            (
                line,
                {
                    **common,
                    "safekeeping_account": acct,
                    "isin": x.text(balance, "FinInstrmId/ISIN"),
                    "quantity_type": quantity_type,
                    "aggregate_quantity": quantity,
                    "available_quantity": x.quantity(balance, "AvlblBal")[1],
                    "holding_value": value,
                    "holding_value_currency": currency,
                },
            )
        )
    for line, row in rows:
        _commit(tables, HOLDINGS, row, line, message.message_index)


_XML_MAPPERS: dict[str, Callable[[XmlMessage, Mapping[str, Table], Problems], None]] = {
    "sese.024": _sese024,
    "sese.025": _sese025,
    "semt.002": _semt002,
}


# --- ISO 15022 MT ----------------------------------------------------------------------------

_MT_LABELS: dict[str, dict[str, str]] = {
    STATUSES: {
        "trade_date": ":98a::TRAD",
        "intended_settlement_date": ":98a::SETT",
        "settlement_quantity": ":36B::SETT",
        "settlement_amount": ":19A::SETT",
        "created_at": ":98E::PREP",
    },
    CONFIRMATIONS: {
        "trade_date": ":98a::TRAD",
        "intended_settlement_date": ":98a::SETT",
        "effective_settlement_date": ":98a::ESET",
        "settled_quantity": ":36B::ESTT",
        "previously_settled_quantity": ":36B::PSTT",
        "remaining_quantity": ":36B::RSTT",
        "settled_amount": ":19A::ESTT",
        "created_at": ":98E::PREP",
    },
    HOLDINGS: {
        "statement_date": ":98A::STAT",
        "aggregate_quantity": ":93B::AGGR",
        "available_quantity": ":93B::AVAI",
        "holding_value": ":19A::HOLD",
        "created_at": ":98E::PREP",
    },
}
# :24B: reason qualifier -> the status it explains.
_REASON_KINDS = {
    "PEND": "settlement",
    "PENF": "settlement",
    "NMAT": "matching",
    "MTCH": "matching",
}
# Message type -> (movement, payment) implied by the type.
_CONFIRMATION_TYPES = {
    "544": ("RECE", "FREE"),
    "545": ("RECE", "APMT"),
    "546": ("DELI", "FREE"),
    "547": ("DELI", "APMT"),
}


def _parse_mt(source_file: str, data: bytes, sha256: str) -> ExtractedFile:
    tables = new_tables(PLATFORM, COLUMNS, _MT_LABELS)
    problems = Problems()
    stream = read_mt(data, columnar=True)
    if stream.file_error is not None:
        problems.add(None, None, None, None, None, stream.file_error)
        return extract_result(PLATFORM, source_file, sha256, None, tables, problems, 0, True)
    records = stream.records
    flat = pl.DataFrame(schema=_FLAT_MESSAGES)
    if stream.framed is not None:
        # Status and confirmation messages stay columns; the others become records.
        is_flat = pl.col("message_type").is_in(list(_FLAT_MT))
        flat = stream.framed.filter(is_flat).select(*_FLAT_MESSAGES)
        others = stream.framed.filter(~is_flat)
        records = [*records, *(MtMessage(*row) for row in others.iter_rows())]
    parsed = flat.height
    batch: list[MtMessage] = []
    for record in records:
        if isinstance(record, MtRejection):
            problems.add(
                record.line_number,
                record.message_index,
                record.message_type,
                record.field,
                record.raw_value,
                record.reason,
            )
            continue
        parsed += 1
        if record.message_type in _FLAT_MT:
            batch.append(record)
            continue
        mapper = _MT_MAPPERS.get(record.message_type)
        if mapper is None:
            problems.add(
                record.line_number,
                record.message_index,
                record.message_format,
                "{2:",
                record.message_type,
                f"message type {record.message_format} is not handled by platform {PLATFORM}",
            )
            continue
        mapper(record, tables, problems)
    if batch:
        flat = pl.concat([flat, _flat_messages(batch)]).sort("message_index")
    if flat.height:
        _map_flat_mt(flat, tables, problems)
    return extract_result(
        PLATFORM,
        source_file,
        sha256,
        Syntax.MT,
        tables,
        problems,
        stream.framed_count,
        parsed == 0,
    )


def _missing(
    msg: MtMessage, values: Mapping[str, str], keys: tuple[str, ...], problems: Problems
) -> bool:
    for key in keys:
        if not values.get(key):
            tag, _, qualifier = key.partition(":")
            field = f":{tag}::{qualifier}" if qualifier else f":{tag}:"
            problems.add(
                msg.line_number,
                msg.message_index,
                msg.message_format,
                field,
                None,
                f"required field {field} is missing",
            )
            return True
    return False


def _mt_header(msg: MtMessage, values: Mapping[str, str]) -> Row:
    created_at, local, offset = _mt_timestamp(values.get("98E:PREP"), values.get("98C:PREP"))
    return {
        "message_format": msg.message_format,
        "message_id": values.get("20C:SEME"),
        "created_at": created_at,
        "created_local": local,
        "created_utc_offset": offset,
        "message_function": values.get("23G"),
    }


def _mt_timestamp(e: str | None, c: str | None) -> tuple[str | None, str | None, str | None]:
    """:98E: (with UTC offset) or :98C: (local) -> (UTC-castable, local, offset)."""
    value = e or c
    if value is None:
        return None, None, None
    digits, _, offset = value.partition("/")
    stamp, _, fraction = digits.partition(",")
    if len(stamp) != 14 or not stamp.isdigit():
        return value, None, None  # fails the cast: quarantined
    local = f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}T{stamp[8:10]}:{stamp[10:12]}:{stamp[12:14]}"
    if fraction:
        local += "." + fraction
    if not offset or e is None:
        return None, local, None
    sign = "-" if offset.startswith("N") else "+"
    offset = offset.lstrip("N")
    if not offset.isdigit() or len(offset) not in (2, 4):
        return value, local, None
    offset = f"{sign}{offset[:2]}:{offset[2:4] or '00'}"
    return local + offset, local, offset


def _isin(value: str | None) -> str | None:
    if value and value.startswith("ISIN "):
        return value[5:].split("\n", 1)[0].strip()
    return None


def _quantity(value: str | None) -> tuple[str | None, str | None]:
    """:36B:/:93B: 'UNIT/1000,' -> ('UNIT', '1000,'); sign N -> '-'."""
    if value is None:
        return None, None
    code, sep, number = value.partition("/")
    if not sep:
        return None, value  # fails the decimal cast: quarantined with the raw value
    if number.startswith("N"):
        number = "-" + number[1:]
    return code, number


def _amount(value: str | None) -> tuple[str | None, str | None, str | None]:
    """:19A: '[N]EUR1234,5' -> ('1234,5', 'EUR', 'N' or None)."""
    if value is None:
        return None, None, None
    sign = None
    if value.startswith("N"):
        sign, value = "N", value[1:]
    if len(value) > 3 and value[:3].isalpha():
        return value[3:], value[:3], sign
    return value, None, sign


def _mt535(msg: MtMessage, tables: Mapping[str, Table], problems: Problems) -> None:
    parts = msg.generic_fields()
    general: dict[str, str] = {}
    account = None
    holding: dict[str, str] | None = None
    holdings: list[tuple[str | None, dict[str, str]]] = []
    for i in range(0, len(parts), 4):
        tag, qualifier, _, value = parts[i : i + 4]
        value = value.rstrip("\n") if value else value
        if tag == "16R" and value == "FIN":
            holding = {}
        elif tag == "16S" and value == "FIN":
            if holding is not None:
                holdings.append((account, holding))
            holding = None
        elif tag == "97A" and qualifier == "SAFE" and holding is None:
            account = value
            general.setdefault("97A:SAFE", value)
        else:
            key = f"{tag}:{qualifier}" if qualifier else tag
            target = holding if holding is not None else general
            if key not in target:
                target[key] = value
    statement = general.get("98A:STAT") or (general.get("98C:STAT") or "")[:8] or None
    if statement:
        general["98A:STAT"] = statement
    if _missing(msg, general, ("20C:SEME", "98A:STAT"), problems):
        return
    header = _mt_header(msg, general)
    rows = []
    for acct, fin in holdings:
        if _missing(msg, fin, ("35B", "93B:AGGR"), problems):
            return
        quantity_type, quantity = _quantity(fin.get("93B:AGGR"))
        value, currency, sign = _amount(fin.get("19A:HOLD"))
        if sign and value:
            value = "-" + value
        rows.append(
            {
                **header,
                "statement_id": general.get("20C:SEME"),
                "statement_date": statement,
                "statement_basis": general.get("22F:STBA"),
                "safekeeping_account": acct,
                "isin": _isin(fin.get("35B")),
                "quantity_type": quantity_type,
                "aggregate_quantity": quantity,
                "available_quantity": _quantity(fin.get("93B:AVAI"))[1],
                "holding_value": value,
                "holding_value_currency": currency,
                "business_date": statement,
            }
        )
    for row in rows:
        _commit(tables, HOLDINGS, row, msg.line_number, msg.message_index)


_MT_MAPPERS: dict[str, Callable[[MtMessage, Mapping[str, Table], Problems], None]] = {
    "535": _mt535,
}


# --- MT548 and MT544-547, vectorised ---------------------------------------------------------
# Status and confirmation messages are the custodian's volume: their fields are extracted
# for all messages of a file at once with Polars string expressions, not one by one.

_FLAT_MT = frozenset({"548", *_CONFIRMATION_TYPES})
# Dates a status or confirmation may give in any of the options of field 98a: A (a date),
# C (a date and time) or E (a date and time with decimals and a UTC offset).
_DATES = ("PREP", "TRAD", "SETT", "ESET")
_REASON_TEXT = r"(?m)^:70D::REAS/[A-Za-z0-9]{0,8}/[^\n]*(?:\n[^:\n][^\n]*)*"
_STAMP = (
    r"^([0-9]{4})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})(?:,([0-9]+))?"
    r"(?:/(N?)([0-9]{2})([0-9]{2})?)?$"
)
_FLAT_KEYS = (
    "20C::SEME",
    "20C::RELA",
    "20C::MITI",
    "97A::SAFE",
    "22H::REDE",
    "22H::PAYM",
    *(f"98{option}::{qualifier}" for qualifier in _DATES for option in "ACE"),
    "25D::IPRC",
    "25D::CPRC",
    "25D::MTCH",
    "25D::SETT",
    "36B::SETT",
    "19A::SETT",
    "36B::ESTT",
    "36B::PSTT",
    "36B::RSTT",
    "19A::ESTT",
    "22F::PARS",
    "95P::PSET",
)


_FLAT_MESSAGES = {
    "message_index": pl.Int64,
    "line_number": pl.Int64,
    "message_type": pl.String,
    "text": pl.String,
}


def _flat_messages(batch: list[MtMessage]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "message_index": [m.message_index for m in batch],
            "line_number": [m.line_number for m in batch],
            "message_type": [m.message_type for m in batch],
            "text": [m.text for m in batch],
        },
        schema=_FLAT_MESSAGES,
    )


def _map_flat_mt(messages: pl.DataFrame, tables: Mapping[str, Table], problems: Problems) -> None:
    """Status and confirmation messages (_FLAT_MESSAGES columns) -> rows, all at once."""
    # Every line of every message; the generic fields' first lines `:20C::SEME//...`
    # (ISO 15022 generic fields always have a letter option) split by position.
    # The value follows the second '/' (`//value` or `/ISSUER/value`); the first is at 10.
    line = pl.col("line")
    rest = line.str.slice(11)
    fields = (
        messages.lazy()
        .select("message_index", pl.col("text").str.split("\n").alias("line"))
        .explode("line")
        .filter(line.str.contains(r"^:...::..../"))
        .select(
            "message_index",
            line.str.slice(1, 9).alias("key"),
            rest.str.slice(rest.str.find("/", literal=True) + 1).alias("value"),
        )
        .collect()
    )
    first = fields.filter(pl.col("key").is_in(_FLAT_KEYS)).pivot(
        on="key", index="message_index", values="value", aggregate_function="first"
    )
    missing = [k for k in _FLAT_KEYS if k not in first.columns]
    first = first.with_columns(pl.lit(None, pl.String).alias(k) for k in missing)
    reasons = (
        fields.filter(pl.col("key").str.starts_with("24B::"))
        .with_columns(
            pl.col("key")
            .str.slice(5)
            .replace_strict(_REASON_KINDS, default="processing", return_dtype=pl.String)
            .alias("kind")
        )
        .group_by("message_index", "kind", maintain_order=True)
        .agg(pl.col("value").str.join(","))
        .pivot(on="kind", index="message_index", values="value")
    )
    for kind in ("processing", "matching", "settlement"):
        if kind not in reasons.columns:
            reasons = reasons.with_columns(pl.lit(None, pl.String).alias(kind))
    wide = (
        messages.join(first, on="message_index", how="left", maintain_order="left")
        .join(
            reasons.rename({k: f"_{k}_codes" for k in ("processing", "matching", "settlement")}),
            on="message_index",
            how="left",
            maintain_order="left",
        )
        .with_columns(
            pl.col("text").str.extract(r"(?m)^:23G:([^\n]*)", 1).alias("_23G"),
            pl.col("text").str.extract(r"(?m)^:35B:([^\n]*)", 1).alias("_35B"),
            pl.col("text")
            .str.extract_all(_REASON_TEXT)
            .list.eval(pl.element().str.replace(r"^:70D::REAS/[A-Za-z0-9]{0,8}/", ""))
            .list.join("\n")
            .alias("_reason_text"),
            _mt_date("ESET").alias("_eset"),
        )
    )
    is_status = pl.col("message_type") == "548"
    statuses = wide.filter(is_status)
    confirmations = wide.filter(~is_status)
    _flat_rows(
        statuses,
        STATUSES,
        [("20C::SEME", ":20C::SEME"), ("_23G", ":23G:"), ("_status", ":25D:")],
        _status_columns(),
        tables,
        problems,
    )
    _flat_rows(
        confirmations,
        CONFIRMATIONS,
        [
            ("20C::SEME", ":20C::SEME"),
            ("_23G", ":23G:"),
            ("_eset", ":98a::ESET"),
            ("_35B", ":35B:"),
            ("36B::ESTT", ":36B::ESTT"),
        ],
        _confirmation_columns(),
        tables,
        problems,
    )


def _flat_rows(
    wide: pl.DataFrame,
    table: str,
    required: list[tuple[str, str]],
    columns: dict[str, pl.Expr],
    tables: Mapping[str, Table],
    problems: Problems,
) -> None:
    if wide.is_empty():
        return
    wide = wide.with_columns(
        pl.coalesce("25D::IPRC", "25D::CPRC", "25D::MTCH", "25D::SETT").alias("_status")
    )
    first_missing = pl.when(pl.col(required[0][0]).is_null()).then(pl.lit(required[0][1]))
    for column, field in required[1:]:
        first_missing = first_missing.when(pl.col(column).is_null()).then(pl.lit(field))
    wide = wide.with_columns(first_missing.alias("_missing"))
    for row in wide.filter(pl.col("_missing").is_not_null()).iter_rows(named=True):
        field = row["_missing"]
        reason = (
            "no status field :25D: (IPRC, CPRC, MTCH or SETT)"
            if field == ":25D:"
            else f"required field {field} is missing"
        )
        problems.add(
            row["line_number"],
            row["message_index"],
            "MT" + row["message_type"],
            field,
            None,
            reason,
        )
    good = _with_created(wide.filter(pl.col("_missing").is_null()))
    # Lazily, so that the expressions the columns share (the :98E: stamp's groups, ...)
    # are computed once: an eager select evaluates each occurrence anew.
    out = good.lazy().select(
        "message_index",
        "line_number",
        columns["business_date"].alias("business_date"),
        *(columns[c].alias(c) for c in COLUMNS[table]),
    )
    tables[table].frames.append(out.collect())


# The date of an option C or E value: its first eight digits, when the rest is a time.
_DATE_OF_TIME = r"^([0-9]{8})[0-9]{6}(?:,[0-9]+)?(?:/N?[0-9]{2}(?:[0-9]{2})?)?$"


def _mt_date(qualifier: str) -> pl.Expr:
    """The date of :98a::<qualifier>, in whichever option the sender gave it (A, C, E). A
    value that is no date and time stays whole, to fail the date cast and be quarantined."""
    timed = [pl.col(f"98{option}::{qualifier}") for option in "CE"]
    return pl.coalesce(
        pl.col(f"98A::{qualifier}"),
        *(pl.coalesce(v.str.extract(_DATE_OF_TIME, 1), v) for v in timed),
    )


def _mt_quantity(key: str) -> tuple[pl.Expr, pl.Expr]:
    """':36B:' 'UNIT/1000,' -> (UNIT, 1000,); sign N -> '-'; no '/' -> the raw value."""
    value = pl.col(key)
    has_code = value.str.contains("/", literal=True)
    number = value.str.replace(r"^[^/]*/N", "-").str.replace(r"^[^/]*/", "")
    return (
        pl.when(has_code).then(value.str.extract(r"^([^/]*)/", 1)),
        pl.when(has_code).then(number).otherwise(value),
    )


def _mt_amount(key: str) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """':19A:' '[N]EUR1234,5' -> (1234,5, EUR, N or null)."""
    value = pl.col(key)
    currency = value.str.extract(r"^N?([A-Za-z]{3}).", 1)
    amount = (
        pl.when(currency.is_not_null())
        .then(value.str.replace(r"^N?[A-Za-z]{3}", ""))
        .otherwise(value.str.strip_prefix("N"))
    )
    return amount, currency, pl.when(value.str.starts_with("N")).then(pl.lit("N"))


def _with_created(wide: pl.DataFrame) -> pl.DataFrame:
    """The :98E::PREP// (with its UTC offset) or :98C::PREP// (local) stamp's parts, local
    time and offset as columns, each computed once (the created_* columns share them)."""
    with_offset = pl.col("98E::PREP")
    value = pl.coalesce(with_offset, pl.col("98C::PREP"))
    wide = wide.with_columns(value.str.extract_groups(_STAMP).alias("_stamp"))
    g = [pl.col("_stamp").struct.field(str(i)) for i in range(1, 11)]
    base = pl.format("{}-{}-{}T{}:{}:{}", *g[:6])
    local = pl.when(g[6].is_not_null()).then(pl.format("{}.{}", base, g[6])).otherwise(base)
    offset = pl.when(with_offset.is_not_null() & g[8].is_not_null()).then(
        pl.format(
            "{}{}:{}",
            pl.when(g[7] == "N").then(pl.lit("-")).otherwise(pl.lit("+")),
            g[8],
            pl.coalesce(g[9], pl.lit("00")),
        )
    )
    return wide.with_columns(local.alias("_local"), offset.alias("_offset"))


def _mt_created() -> dict[str, pl.Expr]:
    """The created_* columns (and the business date) from _with_created's columns."""
    value = pl.coalesce(pl.col("98E::PREP"), pl.col("98C::PREP"))
    local, offset = pl.col("_local"), pl.col("_offset")
    created_at = (
        pl.when(value.is_not_null() & pl.col("_stamp").struct.field("1").is_null())
        .then(value)  # not a date and time: fails the cast, the message is quarantined
        .when(offset.is_not_null())
        .then(pl.format("{}{}", local, offset))
    )
    return {
        "message_format": pl.format("MT{}", pl.col("message_type")),
        "message_id": pl.col("20C::SEME"),
        "created_at": created_at,
        "created_local": local,
        "created_utc_offset": offset,
        "message_function": pl.col("_23G"),
        "business_date": pl.coalesce(_mt_date("PREP"), _mt_date("SETT")),
    }


def _mt_transaction_columns() -> dict[str, pl.Expr]:
    isin = pl.col("_35B")
    return {
        "account_owner_tx_id": pl.col("20C::RELA"),
        "account_servicer_tx_id": pl.col("20C::SEME"),
        "market_infrastructure_tx_id": pl.col("20C::MITI"),
        "safekeeping_account": pl.col("97A::SAFE"),
        "isin": pl.when(isin.str.starts_with("ISIN ")).then(isin.str.slice(5).str.strip_chars()),
        "securities_movement_type": pl.col("22H::REDE"),
        "payment_type": pl.col("22H::PAYM"),
        "trade_date": _mt_date("TRAD"),
        "intended_settlement_date": _mt_date("SETT"),
        "place_of_settlement": pl.col("95P::PSET"),
    }


def _status_columns() -> dict[str, pl.Expr]:
    quantity_type, quantity = _mt_quantity("36B::SETT")
    amount, currency, sign = _mt_amount("19A::SETT")
    return {
        **_mt_created(),
        **_mt_transaction_columns(),
        "processing_status": pl.coalesce("25D::IPRC", "25D::CPRC"),
        "processing_reason_codes": pl.col("_processing_codes"),
        "matching_status": pl.col("25D::MTCH"),
        "matching_reason_codes": pl.col("_matching_codes"),
        "settlement_status": pl.col("25D::SETT"),
        "settlement_reason_codes": pl.col("_settlement_codes"),
        "reason_text": pl.when(pl.col("_reason_text") != "").then(pl.col("_reason_text")),
        "settlement_quantity_type": quantity_type,
        "settlement_quantity": quantity,
        "settlement_amount": amount,
        "settlement_currency": currency,
        "settlement_credit_debit": sign,
    }


def _confirmation_columns() -> dict[str, pl.Expr]:
    quantity_type, quantity = _mt_quantity("36B::ESTT")
    amount, currency, sign = _mt_amount("19A::ESTT")
    implied = {t: movement for t, (movement, _) in _CONFIRMATION_TYPES.items()}
    implied_payment = {t: payment for t, (_, payment) in _CONFIRMATION_TYPES.items()}
    transaction = _mt_transaction_columns()
    return {
        **_mt_created(),
        **transaction,
        "securities_movement_type": pl.coalesce(
            transaction["securities_movement_type"],
            pl.col("message_type").replace_strict(implied, default=None, return_dtype=pl.String),
        ),
        "payment_type": pl.coalesce(
            transaction["payment_type"],
            pl.col("message_type").replace_strict(
                implied_payment, default=None, return_dtype=pl.String
            ),
        ),
        "effective_settlement_date": pl.col("_eset"),
        "settled_quantity_type": quantity_type,
        "settled_quantity": quantity,
        "previously_settled_quantity": _mt_quantity("36B::PSTT")[1],
        "remaining_quantity": _mt_quantity("36B::RSTT")[1],
        "settled_amount": amount,
        "settled_currency": currency,
        "settled_credit_debit": sign,
        "partial_settlement": pl.col("22F::PARS"),
        "is_partial": pl.col("22F::PARS").is_not_null(),
        "business_date": pl.col("_eset"),
    }
