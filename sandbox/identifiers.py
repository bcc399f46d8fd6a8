"""Check digits and formats of the identifiers post-trade data carries.

- ISIN (ISO 6166): 2-letter country code, 9-character national number, 1 check digit
  computed with the Luhn algorithm over the letters-to-digits expansion (A=10 ... Z=35).
- LEI (ISO 17442): 18 characters then 2 check digits, ISO 7064 MOD 97-10 over the same
  letters-to-digits expansion (the whole LEI as a number is 1 modulo 97).
- BIC (ISO 9362): 4-letter institution, 2-letter country, 2-character location,
  optional 3-character branch. BICs carry no check digit: only the format is checked.
"""

from __future__ import annotations

import re

_ISIN_BODY = re.compile(r"[A-Z]{2}[A-Z0-9]{9}")
_ISIN = re.compile(r"[A-Z]{2}[A-Z0-9]{9}[0-9]")
_LEI_BODY = re.compile(r"[A-Z0-9]{18}")
_LEI = re.compile(r"[A-Z0-9]{18}[0-9]{2}")
_BIC = re.compile(r"[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?")


def _expand(text: str) -> str:
    """Letters to two-digit numbers (A=10 ... Z=35), digits unchanged: the shared step of both."""
    return "".join(str(int(ch, 36)) for ch in text)


def isin_check_digit(body: str) -> str:
    """The check digit of an ISIN's first 11 characters (country code + national number)."""
    if not _ISIN_BODY.fullmatch(body):
        raise ValueError(f"not an ISIN body (2 letters + 9 alphanumerics): {body!r}")
    digits = _expand(body)
    total = 0
    # The check digit will be appended on the right, so the rightmost digit here is doubled.
    for position, ch in enumerate(reversed(digits)):
        value = int(ch)
        if position % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def make_isin(country: str, national_number: str) -> str:
    """A full ISIN from a country code and a 9-character national number (NSIN)."""
    body = country + national_number
    return body + isin_check_digit(body)


def is_valid_isin(isin: str) -> bool:
    return bool(_ISIN.fullmatch(isin)) and isin_check_digit(isin[:11]) == isin[11]


def lei_check_digits(base: str) -> str:
    """The two ISO 7064 MOD 97-10 check digits of an LEI's first 18 characters."""
    if not _LEI_BODY.fullmatch(base):
        raise ValueError(f"not an LEI base (18 alphanumerics): {base!r}")
    return f"{98 - int(_expand(base + '00')) % 97:02d}"


def make_lei(base: str) -> str:
    """A full LEI from its first 18 characters."""
    return base + lei_check_digits(base)


def is_valid_lei(lei: str) -> bool:
    return bool(_LEI.fullmatch(lei)) and int(_expand(lei)) % 97 == 1


def is_valid_bic(bic: str) -> bool:
    """Format only (8 or 11 characters); whether the BIC is registered is not knowable here."""
    return bool(_BIC.fullmatch(bic))
