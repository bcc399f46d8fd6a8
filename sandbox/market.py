"""The sandbox's static reference world: markets, instruments, brokers and fund accounts.

Everything here is fictional but well-formed: ISINs and LEIs carry valid check digits
(computed, not typed in), BICs have the ISO 9362 shape. Tuples keep a fixed order so the
generator's random choices are reproducible.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sandbox.identifiers import make_isin, make_lei

# ISO 4217 minor units of the currencies the sandbox trades in (JPY kept for later markets).
CURRENCY_MINOR_UNITS: dict[str, int] = {"EUR": 2, "GBP": 2, "SGD": 2, "HKD": 2, "JPY": 0}


@dataclass(frozen=True)
class Market:
    mic: str
    name: str
    country: str  # ISO 3166 alpha-2, also the ISIN prefix of instruments listed here
    currency: str
    timezone: str
    # Continuous trading sessions in local time (a lunch break makes two).
    sessions: tuple[tuple[time, time], ...]
    settlement_cycle_days: int = 2

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

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
        return add_business_days(trade_date, self.settlement_cycle_days)


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

    @property
    def price_decimals(self) -> int:
        return -self.tick_size.as_tuple().exponent  # type: ignore[operator]


@dataclass(frozen=True)
class Broker:
    name: str
    lei: str
    bic: str


def is_business_day(day: date) -> bool:
    """Weekends only for now; holiday calendars come with later markets."""
    return day.weekday() < 5


def add_business_days(day: date, count: int) -> date:
    current = day
    remaining = count
    while remaining > 0:
        current += timedelta(days=1)
        if is_business_day(current):
            remaining -= 1
    return current


def business_days(start: date, count: int) -> tuple[date, ...]:
    """`count` business days from `start` (itself included when it is one)."""
    days: list[date] = []
    current = start
    while len(days) < count:
        if is_business_day(current):
            days.append(current)
        current += timedelta(days=1)
    return tuple(days)


_EU_DAY = ((time(9, 0), time(17, 30)),)
_LON_DAY = ((time(8, 0), time(16, 30)),)
_SES_DAY = ((time(9, 0), time(17, 0)),)
_HKG_DAY = ((time(9, 30), time(12, 0)), (time(13, 0), time(16, 0)))  # lunch break

MARKETS: dict[str, Market] = {
    m.mic: m
    for m in (
        Market("XETR", "Xetra", "DE", "EUR", "Europe/Berlin", _EU_DAY),
        Market("XPAR", "Euronext Paris", "FR", "EUR", "Europe/Paris", _EU_DAY),
        Market("XAMS", "Euronext Amsterdam", "NL", "EUR", "Europe/Amsterdam", _EU_DAY),
        Market("XLON", "London Stock Exchange", "GB", "GBP", "Europe/London", _LON_DAY),
        Market("XSES", "Singapore Exchange", "SG", "SGD", "Asia/Singapore", _SES_DAY),
        Market("XHKG", "Hong Kong Exchanges", "HK", "HKD", "Asia/Hong_Kong", _HKG_DAY),
    )
}


def _instrument(
    mic: str, ticker: str, name: str, price: str, tick: str, lot: int = 1
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
    )


# Fictional issuers; national numbers derive from the ticker (check digits are computed).
INSTRUMENTS: tuple[Instrument, ...] = (
    _instrument("XETR", "RHW", "Rheinwerk AG", "84.20", "0.02"),
    _instrument("XETR", "NBK", "Nordbank Holding AG", "12.455", "0.005"),
    _instrument("XETR", "ELB", "Elbtal Chemie AG", "46.30", "0.01"),
    _instrument("XETR", "KMV", "Kaiser Motorenwerke AG", "131.60", "0.05"),
    _instrument("XETR", "SAL", "Saale Software SE", "212.40", "0.05"),
    _instrument("XPAR", "LUM", "Lumiere Energie SA", "58.72", "0.02"),
    _instrument("XPAR", "BCO", "Banque du Couchant SA", "33.845", "0.005"),
    _instrument("XPAR", "VIG", "Vignobles Reunis SA", "147.10", "0.05"),
    _instrument("XPAR", "AER", "Aeronautique Meridionale SA", "96.46", "0.02"),
    _instrument("XPAR", "TEX", "Textiles de Loire SA", "8.342", "0.002"),
    _instrument("XAMS", "POL", "Polder Semiconductors NV", "612.80", "0.10"),
    _instrument("XAMS", "DKH", "Dijkhaven Logistiek NV", "21.63", "0.01"),
    _instrument("XAMS", "TUL", "Tulpenbank Groep NV", "17.914", "0.002"),
    _instrument("XAMS", "ZEE", "Zeeland Voeding NV", "42.16", "0.02"),
    _instrument("XAMS", "MOL", "Molenaar Verzekeringen NV", "64.38", "0.02"),
    _instrument("XLON", "THM", "Thameside Aerospace plc", "13.165", "0.005"),
    _instrument("XLON", "PEN", "Pennine Mining plc", "27.42", "0.01"),
    _instrument("XLON", "CHR", "Charter & Rowe plc", "31.05", "0.01"),
    _instrument("XLON", "MER", "Mersey Utilities plc", "9.876", "0.002"),
    _instrument("XLON", "KST", "Kestrel Telecom plc", "1.6425", "0.0005"),
    _instrument("XSES", "LHB", "Lion Harbour Bank Ltd", "38.42", "0.01", 100),
    _instrument("XSES", "SGP", "Straits Property Trust", "2.46", "0.01", 100),
    _instrument("XSES", "MRL", "Merlion Rail Holdings", "5.87", "0.01", 100),
    _instrument("XSES", "ORC", "Orchid Telecom Ltd", "3.12", "0.01", 100),
    _instrument("XSES", "KEP", "Kepulauan Shipyards Ltd", "7.35", "0.01", 100),
    _instrument("XHKG", "0721", "Victoria Peak Insurance", "62.35", "0.05", 200),
    _instrument("XHKG", "0388", "Kowloon Exchange Holdings", "312.40", "0.20", 100),
    _instrument("XHKG", "1163", "Pearl River Power Ltd", "7.83", "0.01", 1000),
    _instrument("XHKG", "2807", "Lantau Ferries Ltd", "14.46", "0.02", 500),
    _instrument("XHKG", "3318", "Tsim Sha Tsui Land Co", "28.65", "0.05", 1000),
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

# Accounts that are not ours: confirmations for them are misdirected (unexpected).
FOREIGN_ACCOUNTS: tuple[str, ...] = ("EXT-CLIENT-417", "EXT-CLIENT-802", "EXT-CLIENT-915")
