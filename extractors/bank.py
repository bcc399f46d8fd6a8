"""bank: the cash correspondent's statements, ISO 20022 camt.053 and SWIFT MT940 / MT942.

One row per statement (camt.053 `Stmt`, MT940 statement, MT942 interim report), one per
balance and one per entry (camt.053 `Ntry`, MT940/MT942 `:61:` with its `:86:`). Every
balance is kept as delivered, final or intermediate, with the statement's sequence number,
so the balance chain can be checked later; nothing is corrected here (real statements are
not always consistent). A DVP cash entry carries our instruction reference as the camt.053
EndToEndId or as the account-owner (customer) reference of the MT940 `:61:` line.
The MT format itself, with the banks' dialects, is extractors/mt940.py's (statements and
fields) and extractors/mt940_fields.py's (field values).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from extractors import mt940, mt940_fields
from extractors.custodian import is_xml
from extractors.extracted import ExtractedFile
from extractors.iso20022 import Reader, XmlMessage, timestamp
from extractors.records import Problems, Syntax, Table, extract_result, new_tables
from extractors.schemas import LINEAGE, RAW_TABLES
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
T = TypeVar("T")


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
            # Both dates are optional in camt.053: a bank that sends one means it for both.
            booking_date, value_date = x.date(ntry, "BookgDt"), x.date(ntry, "ValDt")
            entries.append(
                {
                    **keys,
                    "_line": entry_line,
                    "entry_index": str(number),
                    "amount": amount,
                    "currency": currency,
                    # With RvslInd the indicator already is the reversal's own direction,
                    # opposite to the entry it reverses (ISO 20022 usage rule): kept as is.
                    "credit_debit": indicator,
                    "is_reversal": _boolean(reversal) or False,
                    "entry_status": status,
                    "booking_date": booking_date or value_date,
                    "value_date": value_date or booking_date,
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


# --- MT940 / MT942 -----------------------------------------------------------------------------

_MT_LABELS: dict[str, dict[str, str]] = {
    STATEMENTS: {
        "sequence_number": ":28C:",
        "page_number": ":28C:",
        "created_at": ":13D:",
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


def _parse_mt(source_file: str, data: bytes, sha256: str) -> ExtractedFile:
    tables = new_tables(PLATFORM, COLUMNS, _MT_LABELS)
    problems = Problems()
    read = mt940.read_statements(data)
    if read.file_error is not None:
        problems.add(None, None, None, None, None, read.file_error)
        return extract_result(PLATFORM, source_file, sha256, None, tables, problems, 0, True)
    for stray in read.strays:
        problems.add(stray.line_number, None, None, stray.field, stray.raw_value, stray.reason)
    for statement in read.statements:
        if statement.message_type not in mt940.STATEMENT_TYPES:
            problems.add(
                statement.line_number,
                statement.index,
                f"MT{statement.message_type}",
                "{2:",
                statement.message_type,
                f"message type MT{statement.message_type} is not handled by platform {PLATFORM}",
            )
            continue
        pending = _MtStatement(statement, problems).rows()
        if pending is not None:
            pending.commit(tables, statement.index)
    return extract_result(
        PLATFORM,
        source_file,
        sha256,
        Syntax.MT,
        tables,
        problems,
        len(read.statements),
        not read.statements,  # nothing in the file is a statement
    )


class _MtStatement:
    """One MT940/MT950 statement or MT942 interim report -> its rows.

    A statement line (:61:) that does not read is quarantined on its own, with the
    information (:86:) that follows it; the statement's other entries load, and its
    entry_count (the :61: lines delivered) tells the rows that are missing. A statement
    without its account, number or (MT940) opening and closing balances is kept out whole.
    """

    def __init__(self, statement: mt940.Statement, problems: Problems) -> None:
        self.statement = statement
        self.problems = problems
        self.message_format = f"MT{statement.message_type}"
        self.fields: dict[str, mt940.Field] = {}
        self.balances: list[Row] = []
        self.entries: list[Row] = []
        self.delivered = 0  # :61: lines, read or not
        self.information: list[str] = []  # :86: of the statement (not of an entry)
        self.currencies: list[str] = []  # of the report's sums and floor limits (MT942)

    def problem(self, line: int, field: str | None, raw: str | None, reason: str) -> None:
        self.problems.add(line, self.statement.index, self.message_format, field, raw, reason)

    def rows(self) -> _Pending | None:
        entry: Row | None = None
        in_entry = False  # the :86: that follows belongs to the last :61:
        for field in self.statement.fields:
            tag = field.tag
            if tag == "61":
                self.delivered += 1
                in_entry = True
                entry = self._entry(field)
            elif tag == "86":
                if not in_entry:
                    self.information.append(field.value)
                elif entry is not None:  # (a quarantined entry's goes with it)
                    info = entry["additional_info"]
                    entry["additional_info"] = (
                        field.value if info is None else f"{info}\n{field.value}"
                    )
            elif tag == "NS":
                continue  # a bank's own non-SWIFT data: not part of the standard
            else:
                in_entry = False
                self._field(field)
        return self._statement()

    def _field(self, field: mt940.Field) -> None:
        tag, label = field.tag, f":{field.tag}:"
        try:
            if tag in mt940.BALANCE_TAGS:
                self._balance(tag, field, mt940_fields.balance(field.value))
            elif tag in ("90D", "90C"):
                self._sum(tag, field, mt940_fields.entry_sum(field.value))
            elif tag == "34F":
                self.currencies.append(mt940_fields.floor_limit_currency(field.value))
            elif tag not in mt940.TAGS:
                self.problem(
                    field.line_number,
                    label,
                    field.value,
                    f"field {label} is not part of {self.message_format}: ignored",
                )
            elif tag in self.fields:
                self.problem(
                    field.line_number,
                    label,
                    field.value,
                    f"field {label} repeated in the statement: the first one is kept",
                )
            else:
                self.fields[tag] = field
        except mt940_fields.FieldError as error:
            self.problem(field.line_number, label, field.value, str(error))

    def _balance(self, tag: str, field: mt940.Field, balance: mt940_fields.Balance) -> None:
        self.balances.append(
            {
                "_line": field.line_number,
                "balance_index": str(len(self.balances) + 1),
                "balance_code": tag,
                "is_intermediate": tag in _INTERMEDIATE,
                "amount": balance.amount,
                "credit_debit": balance.credit_debit,
                "currency": balance.currency,
                "balance_date": balance.date,
            }
        )

    def _sum(self, tag: str, field: mt940.Field, total: mt940_fields.EntrySum) -> None:
        """MT942 :90D: / :90C:: the sum of the report's debit / credit entries, kept as a
        balance row of that code (its date: the report's date/time indication)."""
        self.currencies.append(total.currency)
        self.balances.append(
            {
                "_line": field.line_number,
                "balance_index": str(len(self.balances) + 1),
                "balance_code": tag,
                "is_intermediate": False,
                "amount": total.amount,
                "credit_debit": "DBIT" if tag == "90D" else "CRDT",
                "currency": total.currency,
                "balance_date": None,
            }
        )

    def _entry(self, field: mt940.Field) -> Row | None:
        try:
            line = mt940_fields.statement_line(field.value)
        except mt940_fields.FieldError as error:
            self.problem(field.line_number, ":61:", field.value, str(error))
            return None
        entry: Row = {
            "_line": field.line_number,
            "entry_index": str(self.delivered),  # its place among the :61: lines delivered
            "amount": line.amount,
            "credit_debit": line.credit_debit,
            "is_reversal": line.is_reversal,
            "entry_status": "BOOK",
            # The entry date is sent only when it differs from the value date.
            "booking_date": line.entry_date or line.value_date,
            "value_date": line.value_date,
            "account_servicer_ref": line.bank_reference,
            "end_to_end_id": None,
            "account_owner_ref": line.customer_reference,
            "transaction_details_count": None,
            "bank_transaction_code": line.transaction_type,
            "funds_code": line.funds_code,
            "supplementary_details": line.supplementary_details,
            "additional_info": None,
        }
        self.entries.append(entry)
        return entry

    def _read(self, tag: str, reader: Callable[[str], T]) -> T | None:
        """A field's value read, or None (and a quarantine row when it does not read)."""
        field = self.fields.get(tag)
        if field is None:
            return None
        try:
            return reader(field.value)
        except mt940_fields.FieldError as error:
            self.problem(field.line_number, f":{tag}:", field.value, str(error))
            return None

    def _statement(self) -> _Pending | None:
        interim = self.statement.message_type == "942"
        account = self._read("25", mt940_fields.account) or self._read("25P", mt940_fields.account)
        number = self._read("28C", mt940_fields.statement_number) or self._read(
            "28", mt940_fields.statement_number
        )
        stamp = self._read("13D", mt940_fields.date_time) or self._read(
            "13", mt940_fields.date_time
        )
        given = [account and account.currency, *(b["currency"] for b in self.balances)]
        currency = next((c for c in (*given, *self.currencies) if c), None)
        codes = {b["balance_code"] for b in self.balances}
        required = {
            ":20:": "20" in self.fields,
            ":25:": account is not None,
            ":28C:": number is not None,
            ":60a:": interim or bool(codes & {"60F", "60M"}),
            ":62a:": interim or bool(codes & {"62F", "62M"}),
            ":34F:": not interim or currency is not None,  # the report's currency
            ":13D:": not interim or stamp is not None,  # the report's date
        }
        missing = [label for label, present in required.items() if not present]
        if missing or account is None or number is None:
            self.problem(
                self.statement.line_number,
                missing[0],
                None,
                f"required field {missing[0]} is missing or does not read: the statement and"
                f" its {self.delivered} entries are kept out",
            )
            return None
        report_date = stamp.local[:10].replace("-", "") if stamp else None
        for balance in self.balances:
            # One currency per statement (SWIFT); a bank that leaves it out means that one.
            balance["currency"] = balance["currency"] or currency
            balance["balance_date"] = balance["balance_date"] or report_date
        statement_id = self.fields["20"].value.strip()
        keys = {
            "message_format": self.message_format,
            "statement_id": statement_id,
            "sequence_number": number[0],
            "account_id": account.account,
        }
        statement: Row = {
            **keys,
            "message_id": statement_id,
            "created_at": f"{stamp.local}{stamp.offset}" if stamp and stamp.offset else None,
            "created_local": stamp.local if stamp else None,
            "created_utc_offset": stamp.offset if stamp else None,
            "page_number": number[1],
            "account_id_type": "MT25",
            "account_servicer": account.bic or self.statement.sender,
            "entry_count": str(self.delivered),
            "additional_info": "\n".join(self.information) or None,
        }
        _statement_balances(statement, self.balances)
        statement["account_currency"] = (
            account.currency or statement.get("opening_currency") or currency
        )
        # An interim report (MT942) has no booked balances: it is filed under its date.
        statement["business_date"] = (
            statement.get("closing_date") or statement.get("opening_date") or report_date
        )
        return self._pending(statement, keys)

    def _pending(self, statement: Row, keys: Row) -> _Pending:
        pending = _Pending()
        pending.add(STATEMENTS, self.statement.line_number, statement)
        for table, rows in ((BALANCES, self.balances), (ENTRIES, self.entries)):
            for row in rows:
                row.update(keys, business_date=statement["business_date"])
                if table == ENTRIES:
                    row["currency"] = statement["account_currency"]
                pending.add(table, row["_line"], row)
        return pending
