"""Writers for the custodian's and the bank's messages: ISO 20022 XML and ISO 15022 MT.

ISO 20022 message versions (element names and order from the published schemas):
- sese.024.001.10 SecuritiesSettlementTransactionStatusAdviceV10 (`SctiesSttlmTxStsAdvc`)
- sese.025.001.10 SecuritiesSettlementTransactionConfirmationV10 (`SctiesSttlmTxConf`)
- semt.002.001.10 CustodyStatementOfHoldingsV10 (`SctiesBalCtdyRpt`)
- camt.053.001.08 BankToCustomerStatementV08 (`BkToCstmrStmt`)
Several custodian Documents travel in one file: a plain `Messages` envelope whose every
`Message` is a head.001.001.02 business application header (`AppHdr`) and its `Document`.

ISO 15022 (SWIFT FIN): MT548, MT545, MT547, MT535 and MT940 with blocks {1:}{2:}{3:}{4:...-}
{5:}, CRLF line ends, `:16R:`/`:16S:` sequences, and the decimal comma.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from xml.sax.saxutils import escape

NS = {
    "sese.024": "urn:iso:std:iso:20022:tech:xsd:sese.024.001.10",
    "sese.025": "urn:iso:std:iso:20022:tech:xsd:sese.025.001.10",
    "semt.002": "urn:iso:std:iso:20022:tech:xsd:semt.002.001.10",
    "camt.053": "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08",
    "head.001": "urn:iso:std:iso:20022:tech:xsd:head.001.001.02",
}
MSG_DEF = {
    "sese.024": "sese.024.001.10",
    "sese.025": "sese.025.001.10",
    "semt.002": "semt.002.001.10",
}
CRLF = "\r\n"


@dataclass(frozen=True, slots=True)
class Stamp:
    """A UTC moment already formatted both ways (formatting is the hot path at volume)."""

    iso: str  # 2026-11-26T18:00:05.123Z
    compact: str  # 20261126180005 (ISO 15022 :98C: date and time)

    @classmethod
    def evening(cls, day: date, ms: int) -> Stamp:
        """`ms` milliseconds after 18:00 UTC on `day` (under six hours)."""
        seconds, millis = divmod(ms, 1000)
        minutes, second = divmod(seconds, 60)
        hour, minute = divmod(minutes, 60)
        hour += 18
        if hour > 23:
            raise ValueError("a day's messages must fit between 18:00 and midnight")
        ymd = _ymd(day)
        return cls(
            f"{ymd[:4]}-{ymd[4:6]}-{ymd[6:]}T{hour:02d}:{minute:02d}:{second:02d}.{millis:03d}Z",
            f"{ymd}{hour:02d}{minute:02d}{second:02d}",
        )


@lru_cache(maxsize=64)
def _ymd(day: date) -> str:
    return day.strftime("%Y%m%d")


def iso_dt(moment: datetime | Stamp) -> str:
    if isinstance(moment, Stamp):
        return moment.iso
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def x(text: object) -> str:
    return escape(str(text))


def amount(value: Decimal, decimals: int) -> str:
    """An unsigned XML decimal with the currency's minor units (1234.50)."""
    return f"{abs(value):.{decimals}f}"


def swift_amount(value: Decimal, decimals: int) -> str:
    """ISO 15022 decimal: comma as the decimal mark, no thousands separator (1234,5 / 100,)."""
    text = f"{abs(value):.{decimals}f}"
    if "." in text:
        whole, frac = text.split(".")
        frac = frac.rstrip("0")
        return f"{whole},{frac}"
    return f"{text},"


def swift_qty(qty: int) -> str:
    return f"{qty},"


# --- ISO 20022 custodian documents ------------------------------------------------------


def app_header(kind: str, biz_msg_id: str, sender: str, receiver: str, at: datetime | Stamp) -> str:
    return (
        f'<AppHdr xmlns="{NS["head.001"]}">'
        f"<Fr><FIId><FinInstnId><BICFI>{sender}</BICFI></FinInstnId></FIId></Fr>"
        f"<To><FIId><FinInstnId><BICFI>{receiver}</BICFI></FinInstnId></FIId></To>"
        f"<BizMsgIdr>{x(biz_msg_id)}</BizMsgIdr><MsgDefIdr>{MSG_DEF[kind]}</MsgDefIdr>"
        f"<CreDt>{iso_dt(at)}</CreDt></AppHdr>"
    )


def business_file_open(file_id: str, at: datetime | Stamp) -> str:
    """A file of several messages: a plain `Messages` envelope (a transport convention, not an
    ISO 20022 message; ISO 20022 defines none for a batch of business messages), each
    `Message` an AppHdr (head.001.001.02) and its Document."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<Messages fileId="{x(file_id)}" created="{iso_dt(at)}">\n'
    )


BUSINESS_FILE_CLOSE = "</Messages>\n"


def payload(header: str, document: str) -> str:
    return f"<Message>{header}{document}</Message>\n"


def _party(tag: str, pset: str, agent: str, account: str | None = None) -> str:
    acct = f"<SfkpgAcct><Id>{x(account)}</Id></SfkpgAcct>" if account else ""
    return (
        f"<{tag}><Dpstry><Id><AnyBIC>{pset}</AnyBIC></Id></Dpstry>"
        f"<Pty1><Id><AnyBIC>{agent}</AnyBIC></Id>{acct}</Pty1></{tag}>"
    )


def _reason(code: str) -> str:
    return f"<Rsn><Cd><Cd>{code}</Cd></Cd></Rsn>"


def sese024(
    *,
    ref: str,
    svcr_ref: str,
    processing: bool,
    matching: str | None,  # "MACH", or "NMAT:<reason>"
    settlement: str | None,  # "PEND:<reason>" or "PENF:<reason>"
    safekeeping: str,
    isin: str,
    qty: int,
    ccy: str,
    settle_amount: Decimal | None,  # None: SttlmAmt (optional) left out
    decimals: int,
    receive: bool,
    trade_date: date,
    settle_date: date,
    pset: str,
    counterparty_bic: str,
) -> str:
    parts = [
        f'<Document xmlns="{NS["sese.024"]}"><SctiesSttlmTxStsAdvc>',
        f"<TxId><AcctOwnrTxId>{x(ref)}</AcctOwnrTxId><AcctSvcrTxId>{svcr_ref}</AcctSvcrTxId></TxId>",
    ]
    if processing:
        parts.append("<PrcgSts><AckdAccptd><NoSpcfdRsn>NORE</NoSpcfdRsn></AckdAccptd></PrcgSts>")
    if matching == "MACH":
        parts.append("<MtchgSts><Mtchd/></MtchgSts>")
    elif matching:
        parts.append(f"<MtchgSts><Umtchd>{_reason(matching.split(':')[1])}</Umtchd></MtchgSts>")
    if settlement:
        status, code = settlement.split(":")
        tag = "Pdg" if status == "PEND" else "Flng"
        parts.append(f"<SttlmSts><{tag}>{_reason(code)}</{tag}></SttlmSts>")
    side = "RcvgSttlmPties" if receive else "DlvrgSttlmPties"
    other = "DlvrgSttlmPties" if receive else "RcvgSttlmPties"
    parties = {side: "", other: _party(other, pset, counterparty_bic)}
    settlement_amount = (
        ""
        if settle_amount is None
        else f'<SttlmAmt><Amt Ccy="{ccy}">{amount(settle_amount, decimals)}</Amt>'
        f"<CdtDbtInd>{'DBIT' if receive else 'CRDT'}</CdtDbtInd></SttlmAmt>"
    )
    parts.append(
        f"<TxDtls><SfkpgAcct><Id>{x(safekeeping)}</Id></SfkpgAcct>"
        f"<FinInstrmId><ISIN>{isin}</ISIN></FinInstrmId>"
        f"<SttlmQty><Qty><Unit>{qty}</Unit></Qty></SttlmQty>{settlement_amount}"
        f"<SttlmDt><Dt><Dt>{settle_date.isoformat()}</Dt></Dt></SttlmDt>"
        f"<TradDt><Dt><Dt>{trade_date.isoformat()}</Dt></Dt></TradDt>"
        f"<SctiesMvmntTp>{'RECE' if receive else 'DELI'}</SctiesMvmntTp><Pmt>APMT</Pmt>"
        f"<SttlmParams><SctiesTxTp><Cd>TRAD</Cd></SctiesTxTp></SttlmParams>"
        f"{parties['RcvgSttlmPties']}{parties['DlvrgSttlmPties']}</TxDtls>"
    )
    parts.append("</SctiesSttlmTxStsAdvc></Document>")
    return "".join(parts)


def sese025(
    *,
    ref: str,
    svcr_ref: str,
    partial: str | None,  # None (full), "PAIN" (partial) or "PARC" (partial, now complete)
    safekeeping: str,
    isin: str,
    settled_qty: int,
    previously_settled: int | None,
    remaining: int | None,
    ccy: str,
    settled_amount: Decimal | None,  # None: SttldAmt (optional) left out
    decimals: int,
    receive: bool,
    trade_date: date,
    settle_date: date,
    effective_date: date,
    pset: str,
    counterparty_bic: str,
) -> str:
    prtl = f"<AddtlParams><PrtlSttlm>{partial}</PrtlSttlm></AddtlParams>" if partial else ""
    other = "DlvrgSttlmPties" if receive else "RcvgSttlmPties"
    settled = (
        ""
        if settled_amount is None
        else f'<SttldAmt><Amt Ccy="{ccy}">{amount(settled_amount, decimals)}</Amt>'
        f"<CdtDbtInd>{'DBIT' if receive else 'CRDT'}</CdtDbtInd></SttldAmt>"
    )
    return (
        f'<Document xmlns="{NS["sese.025"]}"><SctiesSttlmTxConf>'
        f"<TxIdDtls><AcctOwnrTxId>{x(ref)}</AcctOwnrTxId><AcctSvcrTxId>{svcr_ref}</AcctSvcrTxId>"
        f"<SctiesMvmntTp>{'RECE' if receive else 'DELI'}</SctiesMvmntTp><Pmt>APMT</Pmt></TxIdDtls>"
        f"{prtl}"
        f"<TradDtls><TradDt><Dt><Dt>{trade_date.isoformat()}</Dt></Dt></TradDt>"
        f"<SttlmDt><Dt><Dt>{settle_date.isoformat()}</Dt></Dt></SttlmDt>"
        f"<FctvSttlmDt><Dt><Dt>{effective_date.isoformat()}</Dt></Dt></FctvSttlmDt></TradDtls>"
        f"<FinInstrmId><ISIN>{isin}</ISIN></FinInstrmId>"
        f"<QtyAndAcctDtls><SttldQty><Qty><Unit>{settled_qty}</Unit></Qty></SttldQty>"
        f"{_qty('PrevslySttldQty', previously_settled)}{_qty('RmngToBeSttldQty', remaining)}"
        f"<SfkpgAcct><Id>{x(safekeeping)}</Id></SfkpgAcct></QtyAndAcctDtls>"
        f"<SttlmParams><SctiesTxTp><Cd>TRAD</Cd></SctiesTxTp></SttlmParams>"
        f"{_party(other, pset, counterparty_bic)}{settled}"
        f"</SctiesSttlmTxConf></Document>"
    )


def _qty(tag: str, qty: int | None) -> str:
    """A FinancialInstrumentQuantity1Choice (the unit count directly, no `Qty` level)."""
    return "" if qty is None else f"<{tag}><Unit>{qty}</Unit></{tag}>"


def semt002(
    *, statement_id: str, day: date, safekeeping: str, holdings: list[tuple[str, int]]
) -> str:
    balances = "".join(
        f"<BalForAcct><FinInstrmId><ISIN>{isin}</ISIN></FinInstrmId>"
        f"<AggtBal><ShrtLngInd>{'LONG' if qty >= 0 else 'SHOR'}</ShrtLngInd>"
        f"<Qty><Qty><Qty><Unit>{abs(qty)}</Unit></Qty></Qty></Qty></AggtBal></BalForAcct>"
        for isin, qty in holdings
    )
    return (
        f'<Document xmlns="{NS["semt.002"]}"><SctiesBalCtdyRpt>'
        f"<Pgntn><PgNb>1</PgNb><LastPgInd>true</LastPgInd></Pgntn>"
        f"<StmtGnlDtls><StmtId>{x(statement_id)}</StmtId>"
        f"<StmtDtTm><Dt>{day.isoformat()}</Dt></StmtDtTm>"
        f"<Frqcy><Cd>DAIL</Cd></Frqcy><UpdTp><Cd>COMP</Cd></UpdTp>"
        f"<StmtBsis><Cd>SETT</Cd></StmtBsis><ActvtyInd>true</ActvtyInd>"
        f"<SubAcctInd>false</SubAcctInd></StmtGnlDtls>"
        f"<SfkpgAcct><Id>{x(safekeeping)}</Id></SfkpgAcct>{balances}"
        f"</SctiesBalCtdyRpt></Document>"
    )


# --- camt.053 ----------------------------------------------------------------------------


def camt053_open(msg_id: str, at: datetime | Stamp) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<Document xmlns="{NS["camt.053"]}"><BkToCstmrStmt>'
        f"<GrpHdr><MsgId>{x(msg_id)}</MsgId><CreDtTm>{iso_dt(at)}</CreDtTm></GrpHdr>\n"
    )


CAMT053_CLOSE = "</BkToCstmrStmt></Document>\n"


def _balance(code: str, value: Decimal, ccy: str, decimals: int, day: date) -> str:
    return (
        f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp>"
        f'<Amt Ccy="{ccy}">{amount(value, decimals)}</Amt>'
        f"<CdtDbtInd>{'CRDT' if value >= 0 else 'DBIT'}</CdtDbtInd>"
        f"<Dt><Dt>{day.isoformat()}</Dt></Dt></Bal>"
    )


def camt053_statement_head(
    *,
    statement_id: str,
    sequence: int,
    at: datetime,
    account: str,
    owner_bic: str,
    servicer_bic: str,
    ccy: str,
    decimals: int,
    day: date,
    opening: Decimal,
    closing: Decimal,
    n_credits: int,
    credits: Decimal,
    n_debits: int,
    debits: Decimal,
) -> str:
    return (
        f"<Stmt><Id>{x(statement_id)}</Id><ElctrncSeqNb>{sequence}</ElctrncSeqNb>"
        f"<CreDtTm>{iso_dt(at)}</CreDtTm>"
        f"<Acct><Id><Othr><Id>{x(account)}</Id></Othr></Id><Ccy>{ccy}</Ccy>"
        f"<Ownr><Id><OrgId><AnyBIC>{owner_bic}</AnyBIC></OrgId></Id></Ownr>"
        f"<Svcr><FinInstnId><BICFI>{servicer_bic}</BICFI></FinInstnId></Svcr></Acct>"
        f"{_balance('OPBD', opening, ccy, decimals, day)}"
        f"{_balance('CLBD', closing, ccy, decimals, day)}"
        f"<TxsSummry><TtlNtries><NbOfNtries>{n_credits + n_debits}</NbOfNtries></TtlNtries>"
        f"<TtlCdtNtries><NbOfNtries>{n_credits}</NbOfNtries>"
        f"<Sum>{amount(credits, decimals)}</Sum></TtlCdtNtries>"
        f"<TtlDbtNtries><NbOfNtries>{n_debits}</NbOfNtries>"
        f"<Sum>{amount(debits, decimals)}</Sum></TtlDbtNtries></TxsSummry>\n"
    )


def camt053_entry(
    *,
    value: Decimal,
    ccy: str,
    decimals: int,
    booking: date,
    value_date: date,
    bank_ref: str,
    end_to_end: str | None,
    isin: str,
    omit: frozenset[str] = frozenset(),
) -> str:
    """A DVP entry (bank transaction code SECU/SETT/TRAD, EndToEndId = the instruction
    reference), or without an end-to-end id a cash sweep (CAMT/ACCB/SWEP, NOTPROVIDED).
    `omit` names optional elements left out: ValDt, AcctSvcrRef (the entry's; the
    transaction's stays), AddtlTxInf."""
    if end_to_end is None:
        code = "<Cd>CAMT</Cd><Fmly><Cd>ACCB</Cd><SubFmlyCd>SWEP</SubFmlyCd></Fmly>"
        e2e, info = "NOTPROVIDED", "CASH SWEEP"
    else:
        code = "<Cd>SECU</Cd><Fmly><Cd>SETT</Cd><SubFmlyCd>TRAD</SubFmlyCd></Fmly>"
        e2e, info = x(end_to_end), f"DVP {isin}"
    return (
        f'<Ntry><Amt Ccy="{ccy}">{amount(value, decimals)}</Amt>'
        f"<CdtDbtInd>{'CRDT' if value >= 0 else 'DBIT'}</CdtDbtInd>"
        f"<Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>{booking.isoformat()}</Dt></BookgDt>"
        f"{'' if 'ValDt' in omit else f'<ValDt><Dt>{value_date.isoformat()}</Dt></ValDt>'}"
        f"{'' if 'AcctSvcrRef' in omit else f'<AcctSvcrRef>{bank_ref}</AcctSvcrRef>'}"
        f"<BkTxCd><Domn>{code}</Domn></BkTxCd><NtryDtls><TxDtls><Refs>"
        f"<AcctSvcrRef>{bank_ref}</AcctSvcrRef><EndToEndId>{e2e}</EndToEndId></Refs>"
        f'<AmtDtls><TxAmt><Amt Ccy="{ccy}">{amount(value, decimals)}</Amt></TxAmt></AmtDtls>'
        f"{'' if 'AddtlTxInf' in omit else f'<AddtlTxInf>{info}</AddtlTxInf>'}"
        f"</TxDtls></NtryDtls></Ntry>\n"
    )


# --- ISO 15022 ---------------------------------------------------------------------------


def fin_message(mt: str, sender: str, receiver: str, at: Stamp, mur: str, lines: list[str]) -> str:
    """An output (received) FIN message: {1:} basic, {2:O...} application, {3:} user header
    with the message user reference (108), the text block {4:...-} and a {5:} trailer."""
    lt = f"{receiver[:8]}A{receiver[8:] if len(receiver) == 11 else 'XXX'}"
    snd = f"{sender[:8]}A{sender[8:] if len(sender) == 11 else 'XXX'}"
    hhmm = at.compact[8:12]
    yymmdd = at.compact[2:8]
    return (
        f"{{1:F01{lt}0000000000}}{{2:O{mt}{hhmm}{yymmdd}{snd}0000000000{yymmdd}{hhmm}N}}"
        f"{{3:{{108:{mur}}}}}{{4:{CRLF}"
        + CRLF.join(lines)
        + f"{CRLF}-}}{{5:{{CHK:000000000000}}}}"
        + CRLF
    )


def mt_date(day: date) -> str:
    return _ymd(day)
