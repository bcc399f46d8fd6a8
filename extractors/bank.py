"""bank: the cash correspondent's statements, ISO 20022 camt.053 and SWIFT MT940.

One row per statement (camt.053 `Stmt`, one MT940 message), one per balance and one per
entry (camt.053 `Ntry`, MT940 `:61:` with its `:86:`). Every balance is kept as delivered,
final or intermediate, with the statement's sequence number, so the balance chain can be
checked later; nothing is corrected here (real statements are not always consistent).
A DVP cash entry carries our instruction reference as the camt.053 EndToEndId or as the
account-owner (customer) reference of the MT940 `:61:` line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from extractors.custodian import is_xml
from extractors.extracted import ExtractedFile
from extractors.iso20022 import Reader, XmlMessage, timestamp
from extractors.records import Problems, Syntax, Table, extract_result, new_tables
from extractors.schemas import LINEAGE, RAW_TABLES
from extractors.swift import MtMessage, MtRejection, read_mt
from extractors.xml_files import extract_xml_file, quarantine_unhandled

PLATFORM = "bank"
STATEMENTS = "bank_statements"
BALANCES = "bank_statement_balances"
ENTRIES = "bank_statement_entries"
_TABLES = (STATEMENTS, BALANCES, ENTRIES)
COLUMNS: dict[str, tuple[str, ...]] = {
    name: tuple(c for c in RAW_TABLES[name] if c not in LINEAGE) for name in _TABLES
}
_OPENING_CODES = ("OPBD", "PRCD")
_INTERMEDIATE = frozenset({"ITBD", "ITAV", "60M", "62M"})

Row = dict[str, object]


def parse(source_file: str, data: bytes, sha256: str) -> ExtractedFile:
    """One delivered bank statement file (camt.053 or MT940, told apart by its content)."""
    if is_xml(data):
        return _parse_xml(source_file, data, sha256)
    return _parse_mt(source_file, data, sha256)


class _Pending:
    """Rows of one message, committed only when the whole message mapped."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, int, Row]] = []

    def add(self, table: str, line: int, row: Row) -> None:
        self.rows.append((table, line, row))

    def commit(self, tables: Mapping[str, Table], message_index: int) -> None:
        for table, line, row in self.rows:
            tables[table].rows.append(
                (message_index, line, row.get("business_date"), *map(row.get, COLUMNS[table]))
            )


def _statement_balances(statement: Row, balances: list[Row]) -> None:
    """Opening and closing of the statement from its balances (the rows keep them all)."""
    opening = next((b for b in balances if b["balance_code"] in _OPENING_CODES), None)
    booked_intermediate = [b for b in balances if b["balance_code"] in ("ITBD", "60M", "62M")]
    closing = next((b for b in balances if b["balance_code"] in ("CLBD", "62F")), None)
    if opening is None:
        opening = next((b for b in balances if b["balance_code"] in ("60F", "60M")), None)
    if opening is None and booked_intermediate:
        opening = booked_intermediate[0]
    if closing is None:
        closing = next((b for b in reversed(balances) if b["balance_code"] == "62M"), None)
    if closing is None and booked_intermediate and booked_intermediate[-1] is not opening:
        closing = booked_intermediate[-1]
    for prefix, balance in (("opening", opening), ("closing", closing)):
        if balance is None:
            continue
        statement[f"{prefix}_balance_code"] = balance["balance_code"]
        statement[f"{prefix}_is_intermediate"] = balance["is_intermediate"]
        statement[f"{prefix}_balance"] = balance["amount"]
        statement[f"{prefix}_credit_debit"] = balance["credit_debit"]
        statement[f"{prefix}_currency"] = balance["currency"]
        statement[f"{prefix}_date"] = balance["balance_date"]


# --- camt.053 --------------------------------------------------------------------------------

_XML_LABELS: dict[str, dict[str, str]] = {
    STATEMENTS: {
        "created_at": "Stmt/CreDtTm",
        "sequence_number": "Stmt/ElctrncSeqNb",
        "legal_sequence_number": "Stmt/LglSeqNb",
        "page_number": "Stmt/Pgntn/PgNb",
        "statement_from_date": "Stmt/FrToDt/FrDtTm",
        "statement_to_date": "Stmt/FrToDt/ToDtTm",
        "opening_balance": "Stmt/Bal/Amt",
        "opening_date": "Stmt/Bal/Dt",
        "closing_balance": "Stmt/Bal/Amt",
        "closing_date": "Stmt/Bal/Dt",
    },
    BALANCES: {
        "sequence_number": "Stmt/ElctrncSeqNb",
        "amount": "Stmt/Bal/Amt",
        "balance_date": "Stmt/Bal/Dt",
    },
    ENTRIES: {
        "sequence_number": "Stmt/ElctrncSeqNb",
        "amount": "Stmt/Ntry/Amt",
        "booking_date": "Stmt/Ntry/BookgDt",
        "value_date": "Stmt/Ntry/ValDt",
    },
}


def _parse_xml(source_file: str, data: bytes, sha256: str) -> ExtractedFile:
    tables = new_tables(PLATFORM, COLUMNS, _XML_LABELS)
    return extract_xml_file(PLATFORM, source_file, data, sha256, tables, _map_xml)


def _map_xml(message: XmlMessage, tables: Mapping[str, Table], problems: Problems) -> None:
    if not (message.is_iso and message.family == "camt.053" and message.body is not None):
        quarantine_unhandled(PLATFORM, message, problems)
        return
    pending = _camt053(message, problems)
    if pending is not None:
        pending.commit(tables, message.message_index)


def _boolean(value: str | None) -> bool | None:
    if value is None:
        return None
    return {"true": True, "1": True, "false": False, "0": False}.get(value)


def _camt053(message: XmlMessage, problems: Problems) -> _Pending | None:
    x = Reader(message.namespace)
    body = message.body
    pending = _Pending()
    message_id = x.text(body, "GrpHdr/MsgId")
    group_created = x.text(body, "GrpHdr/CreDtTm")

    def problem(line: int | None, field: str, raw: str | None, reason: str) -> None:
        problems.add(line, message.message_index, message.message_format, field, raw, reason)

    statements = x.findall(body, "Stmt")
    if not statements:
        problem(message.line_number, "Stmt", None, "required element Stmt is missing")
        return None
    for stmt in statements:
        line = stmt.sourceline or message.line_number
        created_at, created_local, offset = timestamp(x.text(stmt, "CreDtTm") or group_created)
        iban = x.text(stmt, "Acct/Id/IBAN")
        account = iban or x.text(stmt, "Acct/Id/Othr/Id")
        statement_id = x.text(stmt, "Id")
        for value, field in ((statement_id, "Stmt/Id"), (account, "Stmt/Acct/Id")):
            if value is None:
                problem(line, field, None, f"required element {field} is missing")
                return None
        last_page = x.first_text(stmt, "StmtPgntn/LastPgInd", "Pgntn/LastPgInd")
        if last_page is not None and _boolean(last_page) is None:
            problem(line, "Stmt/Pgntn/LastPgInd", last_page, "not an XML boolean")
            return None
        sequence = x.text(stmt, "ElctrncSeqNb")
        keys = {
            "message_format": message.message_format,
            "statement_id": statement_id,
            "sequence_number": sequence,
            "account_id": account,
        }
        balances: list[Row] = []
        for number, bal in enumerate(x.findall(stmt, "Bal"), 1):
            code = x.first_text(bal, "Tp/CdOrPrtry/Cd", "Tp/CdOrPrtry/Prtry")
            amount, currency = x.amount(bal, "Amt")
            indicator = x.text(bal, "CdtDbtInd")
            bal_line = bal.sourceline or line
            for value, field in (
                (code, "Bal/Tp/CdOrPrtry"),
                (amount, "Bal/Amt"),
                (indicator, "Bal/CdtDbtInd"),
            ):
                if value is None:
                    problem(bal_line, field, None, f"required element {field} is missing")
                    return None
            balances.append(
                {
                    **keys,
                    "_line": bal_line,
                    "balance_index": str(number),
                    "balance_code": code,
                    "is_intermediate": code in _INTERMEDIATE,
                    "amount": amount,
                    "credit_debit": indicator,
                    "currency": currency,
                    "balance_date": x.date(bal, "Dt"),
                }
            )
        entries: list[Row] = []
        for number, ntry in enumerate(x.findall(stmt, "Ntry"), 1):
            entry_line = ntry.sourceline or line
            amount, currency = x.amount(ntry, "Amt")
            indicator = x.text(ntry, "CdtDbtInd")
            status = x.first_text(ntry, "Sts/Cd", "Sts/Prtry", "Sts")
            for value, field in (
                (amount, "Ntry/Amt"),
                (indicator, "Ntry/CdtDbtInd"),
                (status, "Ntry/Sts"),
            ):
                if value is None:
                    problem(entry_line, field, None, f"required element {field} is missing")
                    return None
            reversal = x.text(ntry, "RvslInd")
            if reversal is not None and _boolean(reversal) is None:
                problem(entry_line, "Ntry/RvslInd", reversal, "not an XML boolean")
                return None
            transactions = x.findall(ntry, "NtryDtls/TxDtls")
            first = transactions[0] if transactions else None
            entries.append(
                {
                    **keys,
                    "_line": entry_line,
                    "entry_index": str(number),
                    "amount": amount,
                    "currency": currency,
                    "credit_debit": indicator,
                    "is_reversal": _boolean(reversal) or False,
                    "entry_status": status,
                    "booking_date": x.date(ntry, "BookgDt"),
                    "value_date": x.date(ntry, "ValDt"),
                    "account_servicer_ref": x.text(ntry, "AcctSvcrRef"),
                    "end_to_end_id": x.text(first, "Refs/EndToEndId"),
                    "account_owner_ref": x.text(first, "Refs/AcctOwnrTxId"),
                    "transaction_details_count": str(len(transactions)),
                    "bank_transaction_code": _transaction_code(x, ntry),
                    "funds_code": None,
                    "supplementary_details": None,
                    "additional_info": x.text(ntry, "AddtlNtryInf"),
                }
            )
        statement: Row = {
            **keys,
            "message_id": message_id,
            "created_at": created_at,
            "created_local": created_local,
            "created_utc_offset": offset,
            "legal_sequence_number": x.text(stmt, "LglSeqNb"),
            "page_number": x.first_text(stmt, "StmtPgntn/PgNb", "Pgntn/PgNb"),
            "is_last_page": _boolean(last_page),
            "account_id_type": "IBAN" if iban else "OTHR",
            "account_currency": x.text(stmt, "Acct/Ccy"),
            "account_servicer": x.first_text(
                stmt, "Acct/Svcr/FinInstnId/BICFI", "Acct/Svcr/FinInstnId/BIC"
            ),
            "statement_from_date": _date_part(x.text(stmt, "FrToDt/FrDtTm")),
            "statement_to_date": _date_part(x.text(stmt, "FrToDt/ToDtTm")),
            "entry_count": str(len(entries)),
            "additional_info": x.text(stmt, "AddtlStmtInf"),
        }
        _statement_balances(statement, balances)
        business_date = statement.get("closing_date") or _date_part(created_local)
        statement["business_date"] = business_date
        pending.add(STATEMENTS, line, statement)
        for row in (*balances, *entries):
            row["business_date"] = business_date
            pending.add(BALANCES if "balance_index" in row else ENTRIES, row["_line"], row)
    return pending


def _date_part(value: object) -> str | None:
    return value[:10] if isinstance(value, str) and len(value) >= 10 else None


def _transaction_code(x: Reader, ntry: object) -> str | None:
    domain = x.text(ntry, "BkTxCd/Domn/Cd")
    if domain is not None:
        family = x.text(ntry, "BkTxCd/Domn/Fmly/Cd")
        sub = x.text(ntry, "BkTxCd/Domn/Fmly/SubFmlyCd")
        return "/".join(p for p in (domain, family, sub) if p)
    return x.text(ntry, "BkTxCd/Prtry/Cd")


# --- MT940 -----------------------------------------------------------------------------------

_MT_LABELS: dict[str, dict[str, str]] = {
    STATEMENTS: {
        "sequence_number": ":28C:",
        "page_number": ":28C:",
        "opening_balance": ":60a:",
        "opening_date": ":60a:",
        "closing_balance": ":62a:",
        "closing_date": ":62a:",
    },
    BALANCES: {"sequence_number": ":28C:", "amount": "balance", "balance_date": "balance"},
    ENTRIES: {
        "sequence_number": ":28C:",
        "amount": ":61:",
        "booking_date": ":61:",
        "value_date": ":61:",
    },
}
# :61: value date, entry date, D/C mark, funds code, amount, type, customer // bank reference,
# then on its own line the supplementary details.
_LINE = re.compile(
    r"([0-9]{6})([0-9]{4})?(RC|RD|EC|ED|C|D)([A-Z])?([0-9]{1,15},[0-9]*)"
    r"([NSF][A-Z0-9]{3})((?:(?!//)[^\n]){0,16})(?://([^\n]{0,16}))?(?:\n(.*))?\Z",
    re.DOTALL,
)
_BALANCE = re.compile(r"([CD])([0-9]{6})([A-Z]{3})([0-9]{1,15},[0-9]*)\Z")
_NUMBER = re.compile(r"([0-9]{1,5})(?:/([0-9]{1,5}))?\Z")
_BALANCE_TAGS = frozenset({"60F", "60M", "62F", "62M", "64", "65"})


def _parse_mt(source_file: str, data: bytes, sha256: str) -> ExtractedFile:
    tables = new_tables(PLATFORM, COLUMNS, _MT_LABELS)
    problems = Problems()
    stream = read_mt(data)
    if stream.file_error is not None:
        problems.add(None, None, None, None, None, stream.file_error)
        return extract_result(PLATFORM, source_file, sha256, None, tables, problems, 0, True)
    parsed = 0
    for record in stream.records:
        if isinstance(record, MtRejection):
            problems.add(
                record.line_number,
                record.message_index,
                record.message_type and "MT" + record.message_type.removeprefix("MT"),
                record.field,
                record.raw_value,
                record.reason,
            )
            continue
        parsed += 1
        if record.message_type not in ("940", "950"):
            problems.add(
                record.line_number,
                record.message_index,
                record.message_format,
                "{2:",
                record.message_type,
                f"message type {record.message_format} is not handled by platform {PLATFORM}",
            )
            continue
        pending = _mt940(record, problems)
        if pending is not None:
            pending.commit(tables, record.message_index)
    return extract_result(
        PLATFORM, source_file, sha256, Syntax.MT, tables, problems, stream.framed_count, parsed == 0
    )


def _yymmdd(value: str) -> str:
    """SWIFT YYMMDD -> YYYYMMDD (years 80-99 are 19xx)."""
    return ("19" if value[:2] >= "80" else "20") + value


def _mt940(msg: MtMessage, problems: Problems) -> _Pending | None:
    def problem(field: str, raw: str | None, reason: str) -> None:
        problems.add(msg.line_number, msg.message_index, msg.message_format, field, raw, reason)

    parts = msg.fields()
    values: dict[str, str] = {}
    balances: list[Row] = []
    entries: list[Row] = []
    statement_info: list[str] = []
    previous = None
    for i in range(0, len(parts), 2):
        tag, value = parts[i], (parts[i + 1] or "").rstrip("\n")
        if tag is None:
            problem("block 4", value, "text before the first field")
            return None
        if tag in _BALANCE_TAGS:
            match = _BALANCE.match(value)
            if match is None:
                problem(f":{tag}:", value, "not a balance (D/C mark, YYMMDD, currency, amount)")
                return None
            mark, day, currency, amount = match.groups()
            balances.append(
                {
                    "balance_index": str(len(balances) + 1),
                    "balance_code": tag,
                    "is_intermediate": tag in _INTERMEDIATE,
                    "amount": amount,
                    "credit_debit": "CRDT" if mark == "C" else "DBIT",
                    "currency": currency,
                    "balance_date": _yymmdd(day),
                }
            )
        elif tag == "61":
            entry = _statement_line(value)
            if entry is None:
                problem(":61:", value, "not a statement line (YYMMDD[MMDD] mark amount type ref)")
                return None
            entry["entry_index"] = str(len(entries) + 1)
            entries.append(entry)
        elif tag == "86":
            if previous == "61":  # the entry's information to the account owner
                entries[-1]["additional_info"] = value
            else:
                statement_info.append(value)
        elif tag not in values:
            values[tag] = value
        previous = tag
    number_field = values.get("28C", values.get("28"))
    for value, field in (
        (values.get("20"), ":20:"),
        (values.get("25"), ":25:"),
        (number_field, ":28C:"),
    ):
        if value is None:
            problem(field, None, f"required field {field} is missing")
            return None
    codes = [b["balance_code"] for b in balances]
    if not any(c.startswith("60") for c in codes) or not any(c.startswith("62") for c in codes):
        missing = ":60a:" if not any(c.startswith("60") for c in codes) else ":62a:"
        problem(missing, None, f"required balance field {missing} (F or M) is missing")
        return None
    number = _NUMBER.match(number_field)
    sequence, page = number.groups() if number else (number_field, None)
    keys = {
        "message_format": msg.message_format,
        "statement_id": values["20"],
        "sequence_number": sequence,
        "account_id": values["25"],
    }
    statement: Row = {
        **keys,
        "message_id": values["20"],
        "page_number": page,
        "account_id_type": "MT25",
        "account_servicer": msg.sender,
        "entry_count": str(len(entries)),
        "additional_info": "\n".join(statement_info) or None,
    }
    _statement_balances(statement, balances)
    statement["account_currency"] = statement.get("opening_currency")
    business_date = statement.get("closing_date") or statement.get("opening_date")
    statement["business_date"] = business_date
    pending = _Pending()
    pending.add(STATEMENTS, msg.line_number, statement)
    for row in (*balances, *entries):
        row.update(keys)
        row["business_date"] = business_date
        if "entry_index" in row:
            row["currency"] = statement.get("opening_currency")
            pending.add(ENTRIES, msg.line_number, row)
        else:
            pending.add(BALANCES, msg.line_number, row)
    return pending


def _statement_line(value: str) -> Row | None:
    match = _LINE.match(value)
    if match is None:
        return None
    value_day, entry_day, mark, funds, amount, kind, customer, bank, details = match.groups()
    value_date = _yymmdd(value_day)
    booking_date = None
    if entry_day:
        year = int(value_date[:4])
        month = int(entry_day[:2])
        value_month = int(value_date[4:6])
        if month - value_month > 6:  # entry in December of a January value date
            year -= 1
        elif value_month - month > 6:  # entry in January of a December value date
            year += 1
        booking_date = f"{year:04d}{entry_day}"
    return {
        "amount": amount,
        "credit_debit": "CRDT" if mark.endswith("C") else "DBIT",
        "is_reversal": mark.startswith("R"),
        "entry_status": "BOOK",
        "booking_date": booking_date,
        "value_date": value_date,
        "account_servicer_ref": bank.strip() if bank else None,
        "end_to_end_id": None,
        "account_owner_ref": customer.strip() or None,
        "transaction_details_count": None,
        "bank_transaction_code": kind,
        "funds_code": funds,
        "supplementary_details": details.strip() if details else None,
        "additional_info": None,
    }
