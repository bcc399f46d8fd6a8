"""ISIN, LEI and BIC checks against identifiers published by real issuers and registries."""

from __future__ import annotations

import pytest

from sandbox.identifiers import (
    is_valid_bic,
    is_valid_isin,
    is_valid_lei,
    isin_check_digit,
    lei_check_digits,
    make_isin,
    make_lei,
)

# Real ISINs: Apple, SAP, BAE Systems, BNP Paribas, ASML, AIA Group, DBS Group.
REAL_ISINS = [
    "US0378331005",
    "DE0007164600",
    "GB0002634946",
    "FR0000131104",
    "NL0010273215",
    "HK0000069689",
    "SG1L01001701",
]
# Real LEIs: the brief's example, Apple, Deutsche Bank, BNP Paribas.
REAL_LEIS = [
    "5493001KJTIIGC8Y1R12",
    "HWUPKR0MPOU8FGXBT394",
    "7LTWFZYICNSX8D621K86",
    "R0MUWSFPU8MPRO8K5P83",
]


@pytest.mark.parametrize("isin", REAL_ISINS)
def test_real_isins_validate_and_their_check_digit_is_recomputed(isin: str) -> None:
    assert is_valid_isin(isin)
    assert isin_check_digit(isin[:11]) == isin[11]
    assert make_isin(isin[:2], isin[2:11]) == isin


def test_isin_check_digit_worked_example() -> None:
    # US037833100: letters U=30, S=28 -> 3028037833100; Luhn from the right gives 5.
    assert isin_check_digit("US037833100") == "5"


@pytest.mark.parametrize("isin", REAL_ISINS)
def test_isin_with_any_other_check_digit_is_invalid(isin: str) -> None:
    for digit in "0123456789":
        if digit != isin[11]:
            assert not is_valid_isin(isin[:11] + digit)


@pytest.mark.parametrize(
    "bad", ["US037833100", "US03783310055", "1S0378331005", "us0378331005", "US037833100X"]
)
def test_malformed_isins_are_invalid(bad: str) -> None:
    assert not is_valid_isin(bad)


def test_isin_check_digit_rejects_a_malformed_body() -> None:
    with pytest.raises(ValueError):
        isin_check_digit("U10378331")


def test_isin_detects_a_transposition() -> None:
    assert not is_valid_isin("US0387331005")


@pytest.mark.parametrize("lei", REAL_LEIS)
def test_real_leis_validate_and_their_check_digits_are_recomputed(lei: str) -> None:
    assert is_valid_lei(lei)
    assert lei_check_digits(lei[:18]) == lei[18:]
    assert make_lei(lei[:18]) == lei


@pytest.mark.parametrize("lei", REAL_LEIS)
def test_lei_with_a_changed_character_is_invalid(lei: str) -> None:
    changed = lei[:5] + ("A" if lei[5] != "A" else "B") + lei[6:]
    assert not is_valid_lei(changed)
    assert not is_valid_lei(lei[:18] + f"{(int(lei[18:]) + 1) % 100:02d}")


@pytest.mark.parametrize(
    "bad", ["5493001KJTIIGC8Y1R1", "5493001KJTIIGC8Y1R1X", "5493001kjtiigc8y1r12"]
)
def test_malformed_leis_are_invalid(bad: str) -> None:
    assert not is_valid_lei(bad)


@pytest.mark.parametrize("bic", ["DEUTDEFF", "DEUTDEFF500", "BNPAFRPP", "HSBCHKHH", "DBSSSGSG"])
def test_real_bics_have_the_iso_9362_shape(bic: str) -> None:
    assert is_valid_bic(bic)


@pytest.mark.parametrize("bad", ["DEUTDEF", "DEUTDEFF5", "DEUT1EFF", "deutdeff", "DEUTDEFF50"])
def test_malformed_bics_are_invalid(bad: str) -> None:
    assert not is_valid_bic(bad)
