"""ISO 6166 ISIN validity: two letters, nine alphanumerics, a Luhn check digit."""

import re

_SHAPE = re.compile(r"^[A-Z]{2}[A-Z0-9]{9}[0-9]$")


def is_valid_isin(isin: str | None) -> bool:
    if not isin or not _SHAPE.match(isin):
        return False
    # Letters become two digits (A=10 ... Z=35); then Luhn over the digit string.
    digits = "".join(str(int(char, 36)) for char in isin)
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            value = value - 9 if value > 9 else value
        total += value
    return total % 10 == 0
