"""Canonical raw schemas: the typed frames extractors produce and loaders write to `raw.*`.

One place defines each raw table's columns and types, so parsers, loaders (DDL for DuckDB
and PostgreSQL) and the dbt sources cannot drift apart. Money, prices and quantities are
decimals with an explicit scale; a value that does not fit its scale is quarantined, never
rounded.
"""

from __future__ import annotations

import polars as pl

QUANTITY = pl.Decimal(28, 6)
PRICE = pl.Decimal(28, 10)
AMOUNT = pl.Decimal(28, 6)
UTC_TIMESTAMP = pl.Datetime("us", "UTC")

# Lineage columns every raw table starts with: which file, where in it, and the partition.
LINEAGE: dict[str, pl.DataType] = {
    "source_file": pl.String(),
    "file_sha256": pl.String(),
    "line_number": pl.Int64(),
    "message_index": pl.Int64(),
    "business_date": pl.Date(),
}

# Fields of the FIX standard header kept on every FIX row.
FIX_HEADER: dict[str, pl.DataType] = {
    "msg_type": pl.String(),
    "sender_comp_id": pl.String(),
    "target_comp_id": pl.String(),
    "msg_seq_num": pl.Int64(),
    "is_possible_duplicate": pl.Boolean(),
    "sending_at": UTC_TIMESTAMP,
}

INSTRUMENT: dict[str, pl.DataType] = {
    "symbol": pl.String(),
    "security_id": pl.String(),
    "security_id_source": pl.String(),
    "currency_code": pl.String(),
    "market_mic": pl.String(),
}

OMS_EXECUTION_REPORTS: dict[str, pl.DataType] = {
    **LINEAGE,
    **FIX_HEADER,
    "order_id": pl.String(),
    "cl_ord_id": pl.String(),
    "exec_id": pl.String(),
    "exec_ref_id": pl.String(),
    "exec_type": pl.String(),
    "ord_status": pl.String(),
    "account": pl.String(),
    "side_code": pl.String(),
    **INSTRUMENT,
    "executing_broker_lei": pl.String(),
    "order_qty": QUANTITY,
    "last_qty": QUANTITY,
    "last_px": PRICE,
    "cum_qty": QUANTITY,
    "leaves_qty": QUANTITY,
    "avg_px": PRICE,
    "trade_date": pl.Date(),
    "transact_at": UTC_TIMESTAMP,
    "settlement_date": pl.Date(),
}

# One row per allocation line (FIX 35=J NoAllocs entry); a message without lines
# (a cancel) gives one row whose line columns are null.
OMS_ALLOCATIONS: dict[str, pl.DataType] = {
    **LINEAGE,
    **FIX_HEADER,
    "alloc_id": pl.String(),
    "alloc_trans_type": pl.String(),
    "ref_alloc_id": pl.String(),
    "alloc_type": pl.String(),
    "side_code": pl.String(),
    **INSTRUMENT,
    "executing_broker_lei": pl.String(),
    "block_quantity": QUANTITY,
    "avg_px": PRICE,
    "gross_trade_amount": AMOUNT,
    "net_money": AMOUNT,
    "trade_date": pl.Date(),
    "settlement_date": pl.Date(),
    "transact_at": UTC_TIMESTAMP,
    "alloc_line_number": pl.Int64(),
    "alloc_account": pl.String(),
    "individual_alloc_id": pl.String(),
    "alloc_qty": QUANTITY,
    "alloc_price": PRICE,
    "alloc_net_money": AMOUNT,
    "commission": AMOUNT,
    "commission_type": pl.String(),
}

# One row per order an allocation covers (FIX 35=J NoOrders entry).
OMS_ALLOCATION_ORDERS: dict[str, pl.DataType] = {
    **LINEAGE,
    "alloc_id": pl.String(),
    "order_line_number": pl.Int64(),
    "order_id": pl.String(),
    "cl_ord_id": pl.String(),
}

# A NoMiscFees (136) entry: a fee or tax besides the commission (FIX 4.4 MiscFeeType 139:
# 1 regulatory, 2 tax, 3 local commission, 4 exchange fees, 5 stamp, 6 levy, 7 other, ...;
# MiscFeeBasis 891: 0 absolute, 1 per unit, 2 percentage).
MISC_FEE: dict[str, pl.DataType] = {
    "misc_fee_number": pl.Int64(),
    "misc_fee_amount": AMOUNT,
    "misc_fee_currency_code": pl.String(),
    "misc_fee_type": pl.String(),
    "misc_fee_basis": pl.String(),
}

# One row per NoMiscFees entry of an allocation line (FIX 35=J, 136 nested in 78).
OMS_ALLOCATION_FEES: dict[str, pl.DataType] = {
    **LINEAGE,
    "alloc_id": pl.String(),
    "alloc_line_number": pl.Int64(),
    "individual_alloc_id": pl.String(),
    **MISC_FEE,
}

CTM_CONFIRMATIONS: dict[str, pl.DataType] = {
    **LINEAGE,
    **FIX_HEADER,
    "confirm_id": pl.String(),
    "confirm_ref_id": pl.String(),
    "confirm_trans_type": pl.String(),
    "confirm_type": pl.String(),
    "confirm_status": pl.String(),
    "alloc_id": pl.String(),
    "individual_alloc_id": pl.String(),
    "alloc_account": pl.String(),
    "alloc_qty": QUANTITY,
    "side_code": pl.String(),
    **INSTRUMENT,
    "executing_broker_lei": pl.String(),
    "avg_px": PRICE,
    "gross_trade_amount": AMOUNT,
    "net_money": AMOUNT,
    "commission": AMOUNT,
    "commission_type": pl.String(),
    "trade_date": pl.Date(),
    "settlement_date": pl.Date(),
    "transact_at": UTC_TIMESTAMP,
}

CTM_CONFIRMATION_ACKS: dict[str, pl.DataType] = {
    **LINEAGE,
    **FIX_HEADER,
    "confirm_id": pl.String(),
    "trade_date": pl.Date(),
    "transact_at": UTC_TIMESTAMP,
    "affirm_status": pl.String(),
    "confirm_rej_reason": pl.String(),
    "text": pl.String(),
}

# --- custodian (ISO 20022 sese/semt XML and ISO 15022 MT54x/MT535) and bank (camt.053, MT940)
# line_number is the source line of the row's element in XML (Document, Stmt, Bal, Ntry,
# BalForAcct) and the message's first line in MT (for a bank statement: its first line, and
# a balance's or entry's own field line, :60F: or :61:); message_index is the Document's or
# the MT message's position in the file (a camt.053 Document can hold several statements; an
# MT940 file, several statements, each its own message_index).
# message_format names the message and its version ("sese.024.001.10", "MT548"). A time
# the message gives is kept three ways: `*_at` in UTC (null when the message gives no UTC
# offset: we do not guess a time zone), `*_local` as written (YYYY-MM-DDTHH:MM:SS, the
# source's wall clock) and `*_utc_offset` ("+08:00"; null when not given). Reason codes
# are comma-separated in message order. Amounts are unsigned with their credit/debit
# indicator unless a column says otherwise.
ISO_MESSAGE: dict[str, pl.DataType] = {
    "message_format": pl.String(),
    "message_id": pl.String(),  # AppHdr BizMsgIdr / MT :20C::SEME// or :20:
    "created_at": UTC_TIMESTAMP,
    "created_local": pl.String(),
    "created_utc_offset": pl.String(),
}

SETTLEMENT_TRANSACTION: dict[str, pl.DataType] = {
    "account_owner_tx_id": pl.String(),  # our instruction ref (IndividualAllocID); MT :20C::RELA//
    "account_servicer_tx_id": pl.String(),  # the custodian's; MT :20C::SEME//
    "market_infrastructure_tx_id": pl.String(),  # MktInfrstrctrTxId; MT :20C::MITI//
    "safekeeping_account": pl.String(),  # SfkpgAcct/Id; MT :97A::SAFE//
    "isin": pl.String(),  # FinInstrmId/ISIN; MT :35B:ISIN
    "securities_movement_type": pl.String(),  # DELI / RECE; MT :22H::REDE//
    "payment_type": pl.String(),  # APMT / FREE; MT :22H::PAYM//
    "trade_date": pl.Date(),
    "intended_settlement_date": pl.Date(),
    # The place of settlement (a CSD's BIC): SttlmPties/Dpstry; MT :95P::PSET//
    "place_of_settlement": pl.String(),
}

# One row per status advice (sese.024) or MT548 status message.
CUSTODIAN_SETTLEMENT_STATUSES: dict[str, pl.DataType] = {
    **LINEAGE,
    **ISO_MESSAGE,
    "message_function": pl.String(),  # MT :23G: (INST, CAST, ...); null for XML
    **SETTLEMENT_TRANSACTION,
    "processing_status": pl.String(),  # AckdAccptd, Rjctd, Canc, ... / PACK, REJT, CAND, ...
    "processing_reason_codes": pl.String(),
    "matching_status": pl.String(),  # Mtchd, Umtchd / MACH, NMAT
    "matching_reason_codes": pl.String(),
    "settlement_status": pl.String(),  # Pdg, Flng / PEND, PENF
    "settlement_reason_codes": pl.String(),
    "reason_text": pl.String(),  # AddtlRsnInf / :70D::REAS// (newline-joined)
    "settlement_quantity_type": pl.String(),  # UNIT, FAMT, AMOR
    "settlement_quantity": QUANTITY,
    "settlement_amount": AMOUNT,
    "settlement_currency": pl.String(),
    # CRDT / DBIT (XML CdtDbtInd); MT: "N" when the amount carried the ISO 15022 sign N
    "settlement_credit_debit": pl.String(),
}

# One row per settlement confirmation (sese.025, MT545 against payment, MT547 against
# payment too, MT544/546 free): a partial settlement is one row per settled part.
CUSTODIAN_SETTLEMENT_CONFIRMATIONS: dict[str, pl.DataType] = {
    **LINEAGE,
    **ISO_MESSAGE,
    "message_function": pl.String(),  # MT :23G: NEWM / CANC (a reversal); null for XML
    **SETTLEMENT_TRANSACTION,
    "effective_settlement_date": pl.Date(),  # FctvSttlmDt / :98A::ESET//
    "settled_quantity_type": pl.String(),
    "settled_quantity": QUANTITY,  # SttldQty / :36B::ESTT//
    "previously_settled_quantity": QUANTITY,  # PrevslySttldQty / :36B::PSTT//
    "remaining_quantity": QUANTITY,  # RmngToBeSttldQty / :36B::RSTT//
    "settled_amount": AMOUNT,  # SttldAmt / :19A::ESTT//
    "settled_currency": pl.String(),
    "settled_credit_debit": pl.String(),  # as settlement_credit_debit
    "partial_settlement": pl.String(),  # PAIN (a part, more to come) / PARC (the last part)
    "is_partial": pl.Boolean(),  # partial_settlement given
}

# One row per financial instrument balance in a holdings statement (semt.002, MT535).
CUSTODIAN_HOLDINGS: dict[str, pl.DataType] = {
    **LINEAGE,
    **ISO_MESSAGE,
    "statement_id": pl.String(),  # StmtGnlDtls/StmtId / :20C::SEME//
    "statement_date": pl.Date(),  # StmtDtTm / :98A::STAT//
    "statement_basis": pl.String(),  # StmtBsis / :22F::STBA// (SETT, TRAD, CUST)
    "safekeeping_account": pl.String(),  # the (sub-)account the balance is in
    "isin": pl.String(),
    "quantity_type": pl.String(),  # UNIT, FAMT, AMOR
    "aggregate_quantity": QUANTITY,  # AggtBal / :93B::AGGR// (negative when short)
    "available_quantity": QUANTITY,  # AvlblBal / :93B::AVAI//
    "holding_value": AMOUNT,  # HldgVal / :19A::HOLD//
    "holding_value_currency": pl.String(),
}

# One row per bank statement (camt.053 Stmt, MT940 statement, MT942 interim report). Opening:
# the first of OPBD, PRCD, ITBD (camt) / :60F: or :60M: (MT); closing: CLBD, else the last
# ITBD / :62F: or :62M:. Every balance is also in bank_statement_balances. An MT942 has no
# booked balances (opening and closing null), message_format MT942, and its :13D: as
# created_*; entry_count counts the entries as delivered, so a statement with fewer rows in
# bank_statement_entries had entries quarantined.
BANK_STATEMENTS: dict[str, pl.DataType] = {
    **LINEAGE,
    **ISO_MESSAGE,
    "statement_id": pl.String(),  # Stmt/Id / :20:
    "sequence_number": pl.Int64(),  # ElctrncSeqNb / :28C: statement number
    "legal_sequence_number": pl.Int64(),  # LglSeqNb
    "page_number": pl.Int64(),  # Pgntn/PgNb / :28C: sequence number
    "is_last_page": pl.Boolean(),  # Pgntn/LastPgInd
    "account_id": pl.String(),  # Acct/Id/IBAN or Othr/Id / :25:
    "account_id_type": pl.String(),  # IBAN, OTHR, MT25
    "account_currency": pl.String(),
    "account_servicer": pl.String(),  # Acct/Svcr BIC / MT sender
    "statement_from_date": pl.Date(),
    "statement_to_date": pl.Date(),
    "opening_balance_code": pl.String(),  # OPBD, PRCD, ITBD / 60F, 60M
    "opening_is_intermediate": pl.Boolean(),
    "opening_balance": AMOUNT,
    "opening_credit_debit": pl.String(),  # CRDT / DBIT
    "opening_currency": pl.String(),
    "opening_date": pl.Date(),
    "closing_balance_code": pl.String(),  # CLBD, ITBD / 62F, 62M
    "closing_is_intermediate": pl.Boolean(),
    "closing_balance": AMOUNT,
    "closing_credit_debit": pl.String(),
    "closing_currency": pl.String(),
    "closing_date": pl.Date(),
    "entry_count": pl.Int64(),  # entries in the statement as delivered (quarantined too)
    "additional_info": pl.String(),  # AddtlStmtInf / :86: not after a :61: (e.g. after :62F:)
}

# One row per balance of a statement, in document order.
BANK_STATEMENT_BALANCES: dict[str, pl.DataType] = {
    **LINEAGE,
    "message_format": pl.String(),
    "statement_id": pl.String(),
    "sequence_number": pl.Int64(),
    "account_id": pl.String(),
    "balance_index": pl.Int64(),  # 1-based within the statement
    # OPBD, CLBD, ITBD, PRCD, OPAV, CLAV, FWAV... / 60F, 62M, 64, 65; MT942 90D / 90C: the
    # sum of the report's debit / credit entries (no balance: never an opening or closing)
    "balance_code": pl.String(),
    "is_intermediate": pl.Boolean(),
    "amount": AMOUNT,
    "credit_debit": pl.String(),  # CRDT / DBIT
    "currency": pl.String(),
    "balance_date": pl.Date(),
}

# One row per entry (camt.053 Ntry, MT940/MT942 :61: with its :86: lines). credit_debit is the
# direction the entry is booked in: a reversal (MT940 mark RC / RD, camt.053 RvslInd) books
# opposite to what it reverses (RC, the reversal of a credit, is DBIT); is_reversal keeps that
# it is one, so the mark as sent is is_reversal + credit_debit.
BANK_STATEMENT_ENTRIES: dict[str, pl.DataType] = {
    **LINEAGE,
    "message_format": pl.String(),
    "statement_id": pl.String(),
    "sequence_number": pl.Int64(),
    "account_id": pl.String(),
    "entry_index": pl.Int64(),  # 1-based within the statement, among the entries delivered
    "amount": AMOUNT,
    "currency": pl.String(),
    "credit_debit": pl.String(),  # CRDT / DBIT
    "is_reversal": pl.Boolean(),  # RvslInd / mark RC, RD
    "entry_status": pl.String(),  # BOOK, PDNG, INFO (MT940: BOOK)
    "booking_date": pl.Date(),  # BookgDt (else ValDt) / :61: entry date (else the value date)
    "value_date": pl.Date(),  # ValDt (else BookgDt) / :61: value date
    "account_servicer_ref": pl.String(),  # AcctSvcrRef / :61: bank reference after //
    "end_to_end_id": pl.String(),  # NtryDtls/TxDtls/Refs/EndToEndId (first TxDtls)
    "account_owner_ref": pl.String(),  # TxDtls/Refs/AcctOwnrTxId / :61: customer reference
    "transaction_details_count": pl.Int64(),  # TxDtls in the entry (a batch has several)
    "bank_transaction_code": pl.String(),  # BkTxCd Domn/Fmly/SubFmly or Prtry / :61: type
    "funds_code": pl.String(),  # MT940 :61: funds code
    "supplementary_details": pl.String(),  # MT940 :61: second line
    "additional_info": pl.String(),  # AddtlNtryInf / :86: (lines joined by newline)
}

# --- ccp, arm, refdata: the vendors' CSV files (sandbox/README.md, "Platform file formats").
# One row per CSV record; line_number is the record's first line in the file (the header
# is line 1 unless blank lines precede it), message_index its position among the file's
# data records (1-based). message_format names the file kind ("ccp.cleared_trades").
# Columns keep the CSV column names; timestamps are converted to UTC.
VENDOR_FILE: dict[str, pl.DataType] = {"message_format": pl.String()}

CCP_CLEARED_TRADES: dict[str, pl.DataType] = {
    **LINEAGE,
    **VENDOR_FILE,
    "cleared_trade_id": pl.String(),
    "exec_id": pl.String(),  # our OMS ExecID (FIX 17)
    "isin": pl.String(),
    "side": pl.String(),  # BUY / SELL
    "quantity": QUANTITY,
    "price": PRICE,
    "currency": pl.String(),
    "trade_date": pl.Date(),
    "settlement_date": pl.Date(),
    "clearing_member": pl.String(),
    "novation_status": pl.String(),  # NOVATED / REJECTED / PENDING
    "reject_reason": pl.String(),
    "cleared_at": UTC_TIMESTAMP,
}

CCP_SETTLEMENT_OBLIGATIONS: dict[str, pl.DataType] = {
    **LINEAGE,
    **VENDOR_FILE,
    "obligation_date": pl.Date(),
    "clearing_member": pl.String(),
    "isin": pl.String(),
    "currency": pl.String(),
    "settlement_date": pl.Date(),
    "net_quantity": QUANTITY,  # > 0 we receive securities
    "net_cash": AMOUNT,  # > 0 we receive cash
    "trade_count": pl.Int64(),
}

ARM_REPORT_ACKS: dict[str, pl.DataType] = {
    **LINEAGE,
    **VENDOR_FILE,
    "transaction_reference": pl.String(),  # <OrderID>-<version>
    "arm_report_id": pl.String(),
    "report_type": pl.String(),  # NEWT / CANC
    "trade_date": pl.Date(),
    "status": pl.String(),  # ACPT / RJCT
    "error_codes": pl.String(),  # ';'-separated, e.g. CON-023
    "error_description": pl.String(),
    "submitted_at": UTC_TIMESTAMP,
    "acknowledged_at": UTC_TIMESTAMP,
}

REFDATA_INSTRUMENTS: dict[str, pl.DataType] = {
    **LINEAGE,
    **VENDOR_FILE,
    "as_of_date": pl.Date(),
    "isin": pl.String(),
    "cfi": pl.String(),
    "mic": pl.String(),
    "currency": pl.String(),
    "asset_class": pl.String(),
    "is_liquid": pl.Boolean(),  # CSV `liquid`
    "settlement_cycle_days": pl.Int64(),
    "name": pl.String(),
    "ticker": pl.String(),
    "tick_size": PRICE,
    "lot_size": pl.Int64(),
}

REFDATA_COUNTERPARTIES: dict[str, pl.DataType] = {
    **LINEAGE,
    **VENDOR_FILE,
    "as_of_date": pl.Date(),
    "lei": pl.String(),
    "bic": pl.String(),
    "name": pl.String(),
    "country": pl.String(),
}

REFDATA_SSIS: dict[str, pl.DataType] = {
    **LINEAGE,
    **VENDOR_FILE,
    "as_of_date": pl.Date(),
    "counterparty_lei": pl.String(),
    "mic": pl.String(),
    "pset_bic": pl.String(),
    "agent_bic": pl.String(),
    "safekeeping_account": pl.String(),
    "cash_account": pl.String(),
}

REFDATA_FX_RATES: dict[str, pl.DataType] = {
    **LINEAGE,
    **VENDOR_FILE,
    "as_of_date": pl.Date(),
    "base_currency": pl.String(),
    "quote_currency": pl.String(),
    "rate": PRICE,  # quote units per base unit
}

REFDATA_PRICES: dict[str, pl.DataType] = {
    **LINEAGE,
    **VENDOR_FILE,
    "as_of_date": pl.Date(),
    "isin": pl.String(),
    "close_price": PRICE,
    "currency": pl.String(),
}

REFDATA_HOLIDAYS: dict[str, pl.DataType] = {
    **LINEAGE,
    **VENDOR_FILE,
    "as_of_date": pl.Date(),
    "mic": pl.String(),
    "holiday_date": pl.Date(),
    "description": pl.String(),
}

# One row per NoMiscFees entry of a confirmation (FIX 35=AK).
CTM_CONFIRMATION_FEES: dict[str, pl.DataType] = {
    **LINEAGE,
    "confirm_id": pl.String(),
    **MISC_FEE,
}

# A record (or a whole file) that could not be parsed or failed validation.
QUARANTINE: dict[str, pl.DataType] = {
    "platform": pl.String(),
    "source_file": pl.String(),
    "file_sha256": pl.String(),
    "line_number": pl.Int64(),
    "message_index": pl.Int64(),
    "message_type": pl.String(),
    "field": pl.String(),
    "raw_value": pl.String(),
    "reason": pl.String(),
}

# Raw table name -> schema. The warehouse schema is `raw`.
RAW_TABLES: dict[str, dict[str, pl.DataType]] = {
    "oms_execution_reports": OMS_EXECUTION_REPORTS,
    "oms_allocations": OMS_ALLOCATIONS,
    "oms_allocation_orders": OMS_ALLOCATION_ORDERS,
    "oms_allocation_fees": OMS_ALLOCATION_FEES,
    "ctm_confirmations": CTM_CONFIRMATIONS,
    "ctm_confirmation_acks": CTM_CONFIRMATION_ACKS,
    "ctm_confirmation_fees": CTM_CONFIRMATION_FEES,
    "custodian_settlement_statuses": CUSTODIAN_SETTLEMENT_STATUSES,
    "custodian_settlement_confirmations": CUSTODIAN_SETTLEMENT_CONFIRMATIONS,
    "custodian_holdings": CUSTODIAN_HOLDINGS,
    "bank_statements": BANK_STATEMENTS,
    "bank_statement_balances": BANK_STATEMENT_BALANCES,
    "bank_statement_entries": BANK_STATEMENT_ENTRIES,
    "ccp_cleared_trades": CCP_CLEARED_TRADES,
    "ccp_settlement_obligations": CCP_SETTLEMENT_OBLIGATIONS,
    "arm_report_acks": ARM_REPORT_ACKS,
    "refdata_instruments": REFDATA_INSTRUMENTS,
    "refdata_counterparties": REFDATA_COUNTERPARTIES,
    "refdata_ssis": REFDATA_SSIS,
    "refdata_fx_rates": REFDATA_FX_RATES,
    "refdata_prices": REFDATA_PRICES,
    "refdata_holidays": REFDATA_HOLIDAYS,
}

PLATFORM_TABLES: dict[str, tuple[str, ...]] = {
    "oms": (
        "oms_execution_reports",
        "oms_allocations",
        "oms_allocation_orders",
        "oms_allocation_fees",
    ),
    "ctm": ("ctm_confirmations", "ctm_confirmation_acks", "ctm_confirmation_fees"),
    "custodian": (
        "custodian_settlement_statuses",
        "custodian_settlement_confirmations",
        "custodian_holdings",
    ),
    "bank": ("bank_statements", "bank_statement_balances", "bank_statement_entries"),
    "ccp": ("ccp_cleared_trades", "ccp_settlement_obligations"),
    "arm": ("arm_report_acks",),
    "refdata": (
        "refdata_instruments",
        "refdata_counterparties",
        "refdata_ssis",
        "refdata_fx_rates",
        "refdata_prices",
        "refdata_holidays",
    ),
}


def empty_frame(schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """An empty frame with the given schema (a platform that delivered nothing)."""
    return pl.DataFrame(schema=schema)
