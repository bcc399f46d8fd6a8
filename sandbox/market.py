"""The sandbox's static reference world: markets, calendars, instruments, counterparties,
accounts and standing settlement instructions (SSIs).

Everything here is fictional but well-formed: ISINs and LEIs carry valid check digits
(computed, not typed in), BICs have the ISO 9362 shape, CFI codes follow ISO 10962. The
markets, their currencies (ISO 4217 minor units), time zones, trading hours, holiday
calendars, settlement cycles and central securities depositories are the real ones.
Tuples keep a fixed order so the generator's random choices are reproducible.

Holiday calendars list the exchanges' full-day closures of 2026 and 2027 (weekends are
always closed). 2026 follows the exchanges' published calendars; the 2027 dates that hang
on lunar or Islamic calendars (Asian markets) are the expected dates and may move by a
day when the exchanges publish. Outside 2026-2027 only weekends are closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from sandbox.identifiers import make_isin, make_lei

# ISO 4217 minor units. IDR has 2 by ISO 4217 although rupiah prices are quoted whole.
CURRENCY_MINOR_UNITS: dict[str, int] = {
    "EUR": 2,
    "GBP": 2,
    "SGD": 2,
    "HKD": 2,
    "THB": 2,
    "MYR": 2,
    "IDR": 2,
    "JPY": 0,
}

# EU and UK equities move from T+2 to T+1 for trades on and after this date.
EU_T1_DATE = date(2027, 10, 11)

# Affirmation deadlines, as the affirmation_deadlines dbt seed states them: (effective from
# trade date, market business days after the trade date, local time), oldest first. Under
# T+2 the desk's policy is noon local on T+1; under EU T+1 the industry recommendation is
# 23:00 local on the trade date. Before the first row there is no deadline.
AFFIRMATION_POLICY_DATE = date(2026, 1, 1)
_T2_AFFIRMATION = ((AFFIRMATION_POLICY_DATE, 1, time(12, 0)),)
_EU_AFFIRMATION = (*_T2_AFFIRMATION, (EU_T1_DATE, 0, time(23, 0)))


def _dates(*items: str) -> frozenset[date]:
    return frozenset(date.fromisoformat(d) for d in items)


_EURONEXT = _dates(
    "2026-01-01", "2026-04-03", "2026-04-06", "2026-05-01", "2026-12-25",
    "2027-01-01", "2027-03-26", "2027-03-29",
)  # fmt: skip

# Full-day closures per MIC (weekends aside).
HOLIDAYS: dict[str, frozenset[date]] = {
    "XETR": _dates(
        "2026-01-01", "2026-04-03", "2026-04-06", "2026-05-01", "2026-12-24", "2026-12-25",
        "2026-12-31",
        "2027-01-01", "2027-03-26", "2027-03-29", "2027-12-24", "2027-12-31",
    ),
    "XPAR": _EURONEXT,
    "XAMS": _EURONEXT,
    "XMIL": _dates(
        "2026-01-01", "2026-04-03", "2026-04-06", "2026-05-01", "2026-12-24", "2026-12-25",
        "2026-12-31",
        "2027-01-01", "2027-03-26", "2027-03-29", "2027-12-24", "2027-12-31",
    ),
    "XLON": _dates(
        "2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-08-31",
        "2026-12-25", "2026-12-28",
        "2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31", "2027-08-30",
        "2027-12-27", "2027-12-28",
    ),
    "XSES": _dates(
        "2026-01-01", "2026-02-17", "2026-02-18", "2026-04-03", "2026-05-01", "2026-05-27",
        "2026-06-01", "2026-08-10", "2026-11-09", "2026-12-25",
        "2027-01-01", "2027-02-08", "2027-03-10", "2027-03-26", "2027-05-17", "2027-05-20",
        "2027-08-09", "2027-10-28",
    ),
    "XHKG": _dates(
        "2026-01-01", "2026-02-17", "2026-02-18", "2026-02-19", "2026-04-03", "2026-04-06",
        "2026-04-07", "2026-05-01", "2026-05-25", "2026-06-19", "2026-07-01", "2026-10-01",
        "2026-10-19", "2026-12-25", "2026-12-28",
        "2027-01-01", "2027-02-08", "2027-02-09", "2027-03-26", "2027-03-29", "2027-04-05",
        "2027-05-13", "2027-06-09", "2027-07-01", "2027-09-16", "2027-10-01", "2027-10-08",
        "2027-12-27",
    ),
    "XBKK": _dates(
        "2026-01-01", "2026-03-03", "2026-04-06", "2026-04-13", "2026-04-14", "2026-04-15",
        "2026-05-01", "2026-05-04", "2026-06-01", "2026-06-03", "2026-07-28", "2026-07-29",
        "2026-08-12", "2026-10-13", "2026-10-23", "2026-12-07", "2026-12-10", "2026-12-31",
        "2027-01-01", "2027-02-22", "2027-04-06", "2027-04-13", "2027-04-14", "2027-04-15",
        "2027-05-03", "2027-05-04", "2027-05-20", "2027-06-03", "2027-07-19", "2027-07-28",
        "2027-08-12", "2027-10-13", "2027-10-25", "2027-12-06", "2027-12-10", "2027-12-31",
    ),
    "XKLS": _dates(
        "2026-01-01", "2026-02-02", "2026-02-17", "2026-02-18", "2026-03-20", "2026-03-23",
        "2026-05-01", "2026-05-27", "2026-06-01", "2026-06-17", "2026-08-25", "2026-08-31",
        "2026-09-16", "2026-11-09", "2026-12-25",
        "2027-01-01", "2027-02-08", "2027-02-09", "2027-03-10", "2027-03-11", "2027-05-17",
        "2027-05-20", "2027-06-07", "2027-08-16", "2027-08-31", "2027-09-16", "2027-10-28",
    ),
    "XIDX": _dates(
        "2026-01-01", "2026-01-16", "2026-02-16", "2026-02-17", "2026-03-18", "2026-03-19",
        "2026-03-20", "2026-03-23", "2026-03-24", "2026-04-03", "2026-05-01", "2026-05-14",
        "2026-05-15", "2026-05-27", "2026-05-28", "2026-06-01", "2026-06-16", "2026-08-17",
        "2026-08-25", "2026-12-24", "2026-12-25", "2026-12-31",
        "2027-01-01", "2027-03-09", "2027-03-10", "2027-03-11", "2027-03-26", "2027-05-06",
        "2027-05-17", "2027-05-20", "2027-06-01", "2027-08-16", "2027-08-17", "2027-12-24",
        "2027-12-31",
    ),
}  # fmt: skip


@dataclass(frozen=True)
class Market:
    mic: str
    name: str
    country: str  # ISO 3166 alpha-2, also the ISIN prefix of instruments listed here
    currency: str
    timezone: str
    # Continuous trading sessions in local time (a lunch break makes two).
    sessions: tuple[tuple[time, time], ...]
    region: str  # "EU" (custodian: ISO 20022, bank: camt.053) or "SEA" (ISO 15022, MT940)
    csd_bic: str  # place of settlement (PSET): the market's central securities depository
    csd_name: str
    # (effective from trade date, business days to settlement), oldest first.
    settlement_cycles: tuple[tuple[date, int], ...] = ((date.min, 2),)
    affirmation_deadlines: tuple[tuple[date, int, time], ...] = _T2_AFFIRMATION

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def settlement_cycle_days(self) -> int:
        """Today's cycle (2026): T+2 for all ten markets."""
        return self.settlement_cycle(date(2026, 1, 1))

    def settlement_cycle(self, trade_date: date) -> int:
        return next(days for since, days in reversed(self.settlement_cycles) if since <= trade_date)

    def is_open(self, day: date) -> bool:
        return day.weekday() < 5 and day not in HOLIDAYS[self.mic]

    def session_bounds_utc(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        """The day's sessions as aware UTC datetimes (the offset follows DST on that date)."""
        utc = ZoneInfo("UTC")
        return tuple(
            (
                datetime.combine(day, start, tzinfo=self.tz).astimezone(utc),
                datetime.combine(day, end, tzinfo=self.tz).astimezone(utc),
            )
            for start, end in self.sessions
        )

    def settlement_date(self, trade_date: date) -> date:
        return add_business_days(trade_date, self.settlement_cycle(trade_date), self.mic)

    def affirmation_deadline(self, trade_date: date) -> datetime | None:
        """When a trade of `trade_date` must be affirmed (aware UTC): the rule's local time
        on the trade date plus N of the market's business days; None before any rule."""
        rule = next((r for r in reversed(self.affirmation_deadlines) if r[0] <= trade_date), None)
        if rule is None:
            return None
        _, days_after, local_time = rule
        day = add_business_days(trade_date, days_after, self.mic)
        return datetime.combine(day, local_time, tzinfo=self.tz).astimezone(ZoneInfo("UTC"))


@dataclass(frozen=True)
class Instrument:
    isin: str
    ticker: str
    name: str
    mic: str
    currency: str
    price: Decimal  # typical price level, in the currency's major unit
    tick_size: Decimal
    lot_size: int  # round lot: order and allocation quantities are multiples of it
    cfi: str = "ESVUFR"  # ISO 10962: equity, shares, voting, unrestricted, fully paid, registered
    asset_class: str = "equity"
    liquid: bool = True  # MiFIR liquid market (drives the CSDR penalty rate)

    @property
    def price_decimals(self) -> int:
        return -self.tick_size.as_tuple().exponent  # type: ignore[operator]


@dataclass(frozen=True)
class Broker:
    """A counterparty (executing broker)."""

    name: str
    lei: str
    bic: str


Counterparty = Broker


@dataclass(frozen=True)
class Ssi:
    """A standing settlement instruction: where a party settles in one market."""

    owner: str  # the broker's BIC or our fund account
    mic: str
    pset_bic: str  # place of settlement: the CSD's BIC
    agent_bic: str  # the party's settlement agent (custodian) at the CSD
    safekeeping_account: str


def is_business_day(day: date, mic: str | None = None) -> bool:
    """A day the market is open; without a market, the desk's day: some market is open."""
    if mic is not None:
        return MARKETS[mic].is_open(day)
    return _desk_day(day)


@lru_cache(maxsize=4096)
def _desk_day(day: date) -> bool:
    return day.weekday() < 5 and any(m.is_open(day) for m in MARKETS.values())


def add_business_days(day: date, count: int, mic: str | None = None) -> date:
    current = day
    remaining = count
    while remaining > 0:
        current += timedelta(days=1)
        if is_business_day(current, mic):
            remaining -= 1
    return current


def business_days(start: date, count: int, mic: str | None = None) -> tuple[date, ...]:
    """`count` business days from `start` (itself included when it is one)."""
    days: list[date] = []
    current = start
    while len(days) < count:
        if is_business_day(current, mic):
            days.append(current)
        current += timedelta(days=1)
    return tuple(days)


_EU_DAY = ((time(9, 0), time(17, 30)),)
_LON_DAY = ((time(8, 0), time(16, 30)),)
_SES_DAY = ((time(9, 0), time(17, 0)),)
_HKG_DAY = ((time(9, 30), time(12, 0)), (time(13, 0), time(16, 0)))  # lunch break
_BKK_DAY = ((time(10, 0), time(12, 30)), (time(14, 30), time(16, 30)))
_KLS_DAY = ((time(9, 0), time(12, 30)), (time(14, 30), time(17, 0)))
_IDX_DAY = ((time(9, 0), time(12, 0)), (time(13, 30), time(15, 50)))
_EU_CYCLE = ((date.min, 2), (EU_T1_DATE, 1))
_EU = {"settlement_cycles": _EU_CYCLE, "affirmation_deadlines": _EU_AFFIRMATION}

MARKETS: dict[str, Market] = {
    m.mic: m
    for m in (
        Market("XETR", "Xetra", "DE", "EUR", "Europe/Berlin", _EU_DAY, "EU",
               "DAKVDEFFXXX", "Clearstream Banking AG Frankfurt", **_EU),
        Market("XPAR", "Euronext Paris", "FR", "EUR", "Europe/Paris", _EU_DAY, "EU",
               "SICVFRPPXXX", "Euroclear France", **_EU),
        Market("XAMS", "Euronext Amsterdam", "NL", "EUR", "Europe/Amsterdam", _EU_DAY, "EU",
               "NECINL2AXXX", "Euroclear Nederland", **_EU),
        Market("XMIL", "Borsa Italiana", "IT", "EUR", "Europe/Rome", _EU_DAY, "EU",
               "MOTIITMMXXX", "Euronext Securities Milan", **_EU),
        Market("XLON", "London Stock Exchange", "GB", "GBP", "Europe/London", _LON_DAY, "EU",
               "CRSTGB22XXX", "Euroclear UK & International (CREST)", **_EU),
        Market("XSES", "Singapore Exchange", "SG", "SGD", "Asia/Singapore", _SES_DAY, "SEA",
               "CDPLSGSGXXX", "The Central Depository (Pte) Ltd"),
        Market("XHKG", "Hong Kong Exchanges", "HK", "HKD", "Asia/Hong_Kong", _HKG_DAY, "SEA",
               "CCASHKHHXXX", "HKSCC (CCASS)"),
        Market("XBKK", "Stock Exchange of Thailand", "TH", "THB", "Asia/Bangkok", _BKK_DAY,
               "SEA", "TSDCTHBKXXX", "Thailand Securities Depository"),
        Market("XKLS", "Bursa Malaysia", "MY", "MYR", "Asia/Kuala_Lumpur", _KLS_DAY, "SEA",
               "MCDSMYKLXXX", "Bursa Malaysia Depository"),
        Market("XIDX", "Indonesia Stock Exchange", "ID", "IDR", "Asia/Jakarta", _IDX_DAY,
               "SEA", "KSEIIDJAXXX", "Kustodian Sentral Efek Indonesia"),
    )
}  # fmt: skip

# The place of settlement a misconfigured counterparty SSI names instead (an ICSD).
WRONG_PSET_BIC = "MGTCBEBEXXX"  # Euroclear Bank
WRONG_PSET_BIC_ALT = "CEDELULLXXX"  # Clearstream Banking Luxembourg


def _instrument(
    mic: str,
    ticker: str,
    name: str,
    price: str,
    tick: str,
    lot: int = 1,
    cfi: str = "ESVUFR",
    liquid: bool = True,
) -> Instrument:
    market = MARKETS[mic]
    # "SB" marks a sandbox national number (made up, unlike a real issuer's).
    nsin = f"000SB{ticker:0<4}"
    return Instrument(
        isin=make_isin(market.country, nsin),
        ticker=ticker,
        name=name,
        mic=mic,
        currency=market.currency,
        price=Decimal(price),
        tick_size=Decimal(tick),
        lot_size=lot,
        cfi=cfi,
        liquid=liquid,
    )


# Fictional issuers; national numbers derive from the ticker (check digits are computed).
# CFI: ESVUFR registered, ESVUFB bearer ordinary shares, ESNUFR non-voting (preference).
INSTRUMENTS: tuple[Instrument, ...] = (
    _instrument("XETR", "RHW", "Rheinwerk AG", "84.20", "0.02"),
    _instrument("XETR", "NBK", "Nordbank Holding AG", "12.455", "0.005", cfi="ESVUFB"),
    _instrument("XETR", "ELB", "Elbtal Chemie AG", "46.30", "0.01"),
    _instrument("XETR", "KMV", "Kaiser Motorenwerke AG", "131.60", "0.05", cfi="ESNUFR"),
    _instrument("XETR", "SAL", "Saale Software SE", "212.40", "0.05"),
    _instrument("XPAR", "LUM", "Lumiere Energie SA", "58.72", "0.02", cfi="ESVUFB"),
    _instrument("XPAR", "BCO", "Banque du Couchant SA", "33.845", "0.005"),
    _instrument("XPAR", "VIG", "Vignobles Reunis SA", "147.10", "0.05", liquid=False),
    _instrument("XPAR", "AER", "Aeronautique Meridionale SA", "96.46", "0.02"),
    _instrument("XPAR", "TEX", "Textiles de Loire SA", "8.342", "0.002", liquid=False),
    _instrument("XAMS", "POL", "Polder Semiconductors NV", "612.80", "0.10"),
    _instrument("XAMS", "DKH", "Dijkhaven Logistiek NV", "21.63", "0.01"),
    _instrument("XAMS", "TUL", "Tulpenbank Groep NV", "17.914", "0.002"),
    _instrument("XAMS", "ZEE", "Zeeland Voeding NV", "42.16", "0.02", liquid=False),
    _instrument("XAMS", "MOL", "Molenaar Verzekeringen NV", "64.38", "0.02"),
    _instrument("XMIL", "LAG", "Lagunare Assicurazioni SpA", "24.37", "0.01"),
    _instrument("XMIL", "DOL", "Dolomiti Energia Alpina SpA", "6.184", "0.002"),
    _instrument("XMIL", "TOR", "Torinese Meccanica SpA", "15.62", "0.01"),
    _instrument("XMIL", "BVE", "Banca del Vesuvio SpA", "3.9125", "0.0005"),
    _instrument("XMIL", "TRV", "Trevi Moda SpA", "47.86", "0.02", liquid=False),
    _instrument("XLON", "THM", "Thameside Aerospace plc", "13.165", "0.005"),
    _instrument("XLON", "PEN", "Pennine Mining plc", "27.42", "0.01"),
    _instrument("XLON", "CHR", "Charter & Rowe plc", "31.05", "0.01"),
    _instrument("XLON", "MER", "Mersey Utilities plc", "9.876", "0.002"),
    _instrument("XLON", "KST", "Kestrel Telecom plc", "1.6425", "0.0005"),
    _instrument("XSES", "LHB", "Lion Harbour Bank Ltd", "38.42", "0.01", 100),
    _instrument("XSES", "SGP", "Straits Property Holdings", "2.46", "0.01", 100),
    _instrument("XSES", "MRL", "Merlion Rail Holdings", "5.87", "0.01", 100),
    _instrument("XSES", "ORC", "Orchid Telecom Ltd", "3.12", "0.01", 100),
    _instrument("XSES", "KEP", "Kepulauan Shipyards Ltd", "7.35", "0.01", 100, liquid=False),
    _instrument("XHKG", "0721", "Victoria Peak Insurance", "62.35", "0.05", 200),
    _instrument("XHKG", "0388", "Kowloon Exchange Holdings", "312.40", "0.20", 100),
    _instrument("XHKG", "1163", "Pearl River Power Ltd", "7.83", "0.01", 1000),
    _instrument("XHKG", "2807", "Lantau Ferries Ltd", "14.46", "0.02", 500),
    _instrument("XHKG", "3318", "Tsim Sha Tsui Land Co", "28.65", "0.05", 1000),
    _instrument("XBKK", "CPY", "Chao Phraya Energy PCL", "36.75", "0.25", 100),
    _instrument("XBKK", "SIA", "Siam Andaman Bank PCL", "142.50", "0.50", 100),
    _instrument("XBKK", "LNN", "Lanna Foods PCL", "18.40", "0.10", 100),
    _instrument("XBKK", "RTC", "Ratchada Telecom PCL", "64.25", "0.25", 100),
    _instrument("XBKK", "KRB", "Krabi Resorts PCL", "9.35", "0.05", 100, liquid=False),
    _instrument("XKLS", "PTR", "Petra Sawit Bhd", "8.42", "0.01", 100),
    _instrument("XKLS", "MLK", "Melaka Maritime Bhd", "3.18", "0.01", 100),
    _instrument("XKLS", "GTB", "Genting Tinggi Bhd", "4.57", "0.01", 100),
    _instrument("XKLS", "KLB", "Kuala Lumpur Bancorp Bhd", "21.64", "0.02", 100),
    _instrument("XKLS", "SBH", "Sabah Timber Bhd", "1.86", "0.01", 100, liquid=False),
    _instrument("XIDX", "BNSA", "Bank Nusantara Tbk", "4250", "10", 100),
    _instrument("XIDX", "TLMK", "Telekom Merapi Tbk", "2870", "10", 100),
    _instrument("XIDX", "SMBR", "Semen Borobudur Tbk", "6175", "25", 100),
    _instrument("XIDX", "KPAL", "Kapal Jawa Tbk", "1385", "5", 100),
    _instrument("XIDX", "TMBG", "Tambang Sumatra Tbk", "915", "5", 100, liquid=False),
)

INSTRUMENTS_BY_ISIN: dict[str, Instrument] = {i.isin: i for i in INSTRUMENTS}

# Fictional brokers: LOU prefixes are real-looking, entity parts invented, check digits computed.
BROKERS: tuple[Broker, ...] = (
    Broker("Northbridge Securities Ltd", make_lei("5493000NBSEC0LDN01"), "NBSLGB2L"),
    Broker("Rhein Capital Markets AG", make_lei("529900RHCM0FRA0002"), "RHCMDEFFXXX"),
    Broker("Banque Lumiere Courtage SA", make_lei("9695001BLCPAR00X03"), "BLCOFRPP"),
    Broker("Oranje Effecten NV", make_lei("724500ORJE0AMS0004"), "ORJENL2A"),
    Broker("Merlion Brokerage Pte Ltd", make_lei("549300MRLNSG000005"), "MRLBSGSG"),
    Broker("Harbour Gate Securities HK Ltd", make_lei("254900HGSHK0000006"), "HGSCHKHH"),
    Broker("Atlas Global Markets plc", make_lei("213800ATLS0GMK0007"), "ATGMGB2LXXX"),
    Broker("Danube Equities GmbH", make_lei("391200DNBEQ0VIE008"), "DNBEATWW"),
)
COUNTERPARTIES = BROKERS

# Accounts the allocations are booked to.
FUND_ACCOUNTS: tuple[str, ...] = (
    "FUND-EQ-001",
    "FUND-EQ-002",
    "FUND-EQ-003",
    "FUND-EU-001",
    "FUND-EU-002",
    "FUND-UK-001",
    "FUND-AS-001",
    "FUND-AS-002",
    "FUND-IN-001",
    "FUND-GR-001",
)

# The book (desk portfolio) each fund account rolls up to, for P&L and ownership of breaks.
BOOKS: dict[str, str] = {
    "FUND-EQ-001": "EQ-GLOBAL-CORE",
    "FUND-EQ-002": "EQ-GLOBAL-CORE",
    "FUND-EQ-003": "EQ-GLOBAL-VALUE",
    "FUND-EU-001": "EQ-EUROPE",
    "FUND-EU-002": "EQ-EUROPE",
    "FUND-UK-001": "EQ-UK",
    "FUND-AS-001": "EQ-ASIA",
    "FUND-AS-002": "EQ-ASIA",
    "FUND-IN-001": "EQ-INCOME",
    "FUND-GR-001": "EQ-GROWTH",
}

# Accounts that are not ours: confirmations for them are misdirected (unexpected).
FOREIGN_ACCOUNTS: tuple[str, ...] = ("EXT-CLIENT-417", "EXT-CLIENT-802", "EXT-CLIENT-915")

# Our service providers (fictional BICs): the global custodian (EU markets, ISO 20022),
# the Asian sub-custodian (ISO 15022), and the cash banks (camt.053 / MT940).
EU_CUSTODIAN_BIC = "SBXCDEFFXXX"
SEA_CUSTODIAN_BIC = "SBXCSGSGXXX"
EU_BANK_BIC = "SBXBDEFFXXX"
SEA_BANK_BIC = "SBXBSGSGXXX"
OUR_BIC = "PTRDGB2LXXX"  # the account owner (us)
REGION_CURRENCIES: dict[str, tuple[str, ...]] = {
    "EU": ("EUR", "GBP"),
    "SEA": ("SGD", "HKD", "THB", "MYR", "IDR"),
}


def region_of_currency(currency: str) -> str:
    return next(r for r, ccys in REGION_CURRENCIES.items() if currency in ccys)


def safekeeping_account(fund: str, region: str) -> str:
    """Our securities account at the region's custodian for a fund account."""
    return f"{'SAFE-EU' if region == 'EU' else 'SAFE-AS'}-{fund.removeprefix('FUND-')}"


def cash_account(fund: str, currency: str) -> str:
    """Our cash account at the region's bank for a fund account and currency."""
    return f"CASH-{fund.removeprefix('FUND-')}-{currency}"


def safekeeping_accounts(region: str) -> tuple[tuple[str, str], ...]:
    """(fund, safekeeping account) pairs of a region, in a fixed order."""
    return tuple((fund, safekeeping_account(fund, region)) for fund in FUND_ACCOUNTS)


def broker_ssi(broker: Broker, mic: str) -> Ssi:
    """The broker's SSI for a market: it settles at the market's CSD through its own agent."""
    return Ssi(broker.bic, mic, MARKETS[mic].csd_bic, broker.bic, f"{broker.bic[:4]}-{mic}-01")


def our_ssi(fund: str, mic: str) -> Ssi:
    market = MARKETS[mic]
    agent = EU_CUSTODIAN_BIC if market.region == "EU" else SEA_CUSTODIAN_BIC
    return Ssi(fund, mic, market.csd_bic, agent, safekeeping_account(fund, market.region))


SSIS: dict[tuple[str, str], Ssi] = {
    (b.bic, mic): broker_ssi(b, mic) for b in BROKERS for mic in MARKETS
}
