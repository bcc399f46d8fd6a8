"""Rows of FIX strings -> a typed Polars frame; a value that does not convert is quarantined.

Every conversion is validated against the FIX 4.4 data type before the cast, because
Polars' lenient casts round ("1.23456789" -> 1.234568 in a scale-6 decimal), accept
exponents ("1e3"), parse 7-digit dates ("2026112") and truncate nanoseconds. After the
cast, a non-null raw value that became null is a failure too (the null-count comparison),
so nothing is silently lost: the caller keeps the whole message out of the typed tables.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

import polars as pl

ROW_KEY = "message_index"
FAILURE_SCHEMA: dict[str, pl.DataType] = {  # after the key columns
    "field": pl.String(),
    "raw_value": pl.String(),
    "reason": pl.String(),
}

# FIX 4.4 float: digits with an optional sign and decimal point; no exponent, no separators.
# [0-9] rather than \d: the regex engine's \d matches every Unicode digit.
_FIX_FLOAT = r"^-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)$"
_FIX_INT = r"^-?[0-9]+$"
_DATE = r"^[0-9]{8}$"
_UTC_TIMESTAMP = r"^[0-9]{8}-[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{3}|\.[0-9]{6}|\.[0-9]{9})?$"
# Values certainly valid once their cast is not null: no sub-microsecond digits to check.
_SURE_UTC_TIMESTAMP = r"^[0-9]{8}-[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{3}|\.[0-9]{6})?$"
_NANOS_LENGTH = len("YYYYMMDD-HH:MM:SS.sssssssss")
_TYPED = "__typed__"
_REASON = "__reason__"


@dataclass(frozen=True)
class Conversion:
    """How one String column converts: `typed` is the value where valid (else null) and
    `reason` why a value is invalid (null when valid or absent). When `sure` is given, a
    value where `sure` holds and `cast` is not null is valid, so a column where that is
    true of every value is cast plainly and its reasons are never computed (the
    validation's per-value checks cost several times the cast itself)."""

    typed: pl.Expr
    reason: pl.Expr
    cast: pl.Expr | None = None
    sure: pl.Expr | None = None


# (String expression, target type) -> its Conversion.
Converter = Callable[[pl.Expr, pl.DataType], Conversion]


@dataclass(frozen=True)
class Typed:
    frame: pl.DataFrame  # every input row, converted columns typed (a failed value is null)
    failures: pl.DataFrame  # FAILURE_SCHEMA: one row per value that did not convert


def cast_columns(
    raw: pl.DataFrame,
    schema: Mapping[str, pl.DataType],
    labels: Mapping[str, str],
    keys: Sequence[str] = (ROW_KEY,),
    converters: Mapping[str, Converter] | None = None,
) -> Typed:
    """Convert the String columns of `raw` that `schema` types otherwise.

    `labels` names each column's FIX field for the failure rows (e.g. "31 LastPx"), and
    `keys` are the columns that identify a row there. Columns already of a non-String
    type, and String targets, pass through unchanged. `converters` overrides the FIX
    conversion per column (other formats: ISO 20022 XML, ISO 15022 MT).
    """
    converted = [
        name
        for name, dtype in schema.items()
        if name in raw.columns and raw.schema[name] == pl.String and dtype != pl.String
    ]
    failure_schema = {**{k: raw.schema[k] for k in keys}, **FAILURE_SCHEMA}
    if not converted:
        return Typed(raw, pl.DataFrame(schema=failure_schema))
    custom = converters or {}
    conversions = {
        name: custom.get(name, convert)(pl.col(name), schema[name]) for name in converted
    }
    # Step 0: the plain cast of every column with a `sure` test, and whether the test
    # holds for all its values; only the other columns need the per-value validation.
    quick = {n: c for n, c in conversions.items() if c.cast is not None and c.sure is not None}
    work = raw
    if quick:
        work = raw.with_columns(c.cast.alias(_TYPED + n) for n, c in quick.items())  # type: ignore[union-attr]
        all_sure = work.select(
            (pl.col(n).is_null() | (c.sure & pl.col(_TYPED + n).is_not_null())).all().alias(n)  # type: ignore[operator]
            for n, c in quick.items()
        ).row(0, named=True)
        quick = {n: c for n, c in quick.items() if all_sure[n]}
    checked = [name for name in converted if name not in quick]
    # Step 1: cast (only values that passed validation) and the validation's reason.
    work = work.with_columns(
        *(conversions[name].typed.alias(_TYPED + name) for name in checked),
        *(conversions[name].reason.alias(_REASON + name) for name in checked),
    )
    # Step 2: the null comparison: a value that was there and is gone failed, whatever
    # the validation said.
    work = work.with_columns(
        pl.coalesce(
            pl.col(_REASON + name),
            pl.when(pl.col(name).is_not_null() & pl.col(_TYPED + name).is_null()).then(
                pl.lit(f"cannot be converted to {schema[name]}")
            ),
        ).alias(_REASON + name)
        for name in checked
    )
    failures = pl.concat(
        [
            pl.LazyFrame(schema=failure_schema),
            *(
                work.lazy()
                .filter(pl.col(_REASON + name).is_not_null())
                .select(
                    *keys,
                    pl.lit(labels.get(name, name), pl.String).alias("field"),
                    pl.col(name).alias("raw_value"),
                    pl.col(_REASON + name).alias("reason"),
                )
                for name in checked
            ),
        ]
    ).collect()
    frame = work.with_columns(pl.col(_TYPED + name).alias(name) for name in converted)
    # The null-count comparison, per column: nulls after = nulls before + failures.
    for name in converted:
        failed = frame[_REASON + name].count() if name in checked else 0
        if frame[name].null_count() != raw[name].null_count() + failed:
            raise AssertionError(f"column {name}: a value was lost in the cast unreported")
    frame = frame.drop(
        *(_TYPED + name for name in converted), *(_REASON + name for name in checked)
    )
    return Typed(frame, failures)


def convert(raw: pl.Expr, dtype: pl.DataType) -> Conversion:
    """The FIX 4.4 conversion of a String expression to a target type."""
    if isinstance(dtype, pl.Decimal):
        return _decimal(raw, dtype)
    if isinstance(dtype, pl.Datetime):
        return _utc_timestamp(raw, dtype)
    if dtype == pl.Date:
        return _date(raw)
    if dtype == pl.Int64:
        invalid = [(~raw.str.contains(_FIX_INT), "not a FIX int")]
        return _checked(raw, raw.cast(pl.Int64, strict=False), invalid, ~invalid[0][0])
    if dtype == pl.Boolean:
        invalid = [(~raw.is_in(["Y", "N"]), "not a FIX Boolean (Y or N)")]
        return _checked(raw, pl.when(raw.is_in(["Y", "N"])).then(raw == "Y"), invalid, pl.lit(True))
    raise TypeError(f"no FIX conversion to {dtype}")


def _checked(
    raw: pl.Expr,
    cast: pl.Expr,
    invalid: list[tuple[pl.Expr, str | pl.Expr]],
    sure: pl.Expr | None = None,
) -> Conversion:
    """The first failing check's reason (null when all pass); the cast only where valid.
    `sure`: see Conversion (None: every value is validated)."""
    (first_condition, first_reason), *rest = invalid
    reason = pl.when(first_condition).then(_as_expr(first_reason))
    for condition, why in rest:
        reason = reason.when(condition).then(_as_expr(why))
    reason = pl.when(raw.is_not_null()).then(reason)
    return Conversion(pl.when(reason.is_null()).then(cast), reason, cast, sure)


def _as_expr(reason: str | pl.Expr) -> pl.Expr:
    return pl.lit(reason, pl.String) if isinstance(reason, str) else reason


def sure_decimal(dtype: pl.Decimal, point: str = ".") -> str:
    """A pattern of decimals that fit `dtype` exactly (a subset of the valid ones: at
    most its integer digits, leading zeros included, and at most its scale of decimals)."""
    integer_digits = (dtype.precision or 38) - dtype.scale
    return rf"^-?[0-9]{{1,{integer_digits}}}(?:\{point}[0-9]{{0,{dtype.scale}}})?$"


def _decimal(raw: pl.Expr, dtype: pl.Decimal) -> Conversion:
    scale = dtype.scale
    integer_digits = (dtype.precision or 38) - scale
    # Both counts only matter once the value is a valid FIX float (the checks are ordered),
    # so plain strip/find do instead of regex extracts (several times faster per column).
    # Significant decimals: trailing zeros carry no precision and are fine.
    significant = raw.str.strip_chars_end("0")
    point = significant.str.find(".", literal=True)
    decimals = (significant.str.len_bytes().cast(pl.Int64) - point - 1).fill_null(0)
    # Integer digits: without the sign and leading zeros, up to the point (or the end).
    unsigned = raw.str.strip_chars_start("-0")
    integers = unsigned.str.find(".", literal=True).fill_null(unsigned.str.len_bytes())
    return _checked(
        raw,
        raw.cast(dtype, strict=False),
        [
            (
                ~raw.str.contains(_FIX_FLOAT),
                "not a FIX float (digits, optional '-' and '.'; no exponent or separators)",
            ),
            (
                decimals > scale,
                pl.format(
                    "{} significant decimal places, more than the column's scale {}: not rounded",
                    decimals,
                    pl.lit(scale),
                ),
            ),
            (
                integers > integer_digits,
                f"more than {integer_digits} integer digits: out of range for Decimal"
                f"({dtype.precision}, {scale})",
            ),
        ],
        raw.str.contains(sure_decimal(dtype)),
    )


def _date(raw: pl.Expr) -> Conversion:
    typed = raw.str.strptime(pl.Date, "%Y%m%d", strict=False)
    return _checked(
        raw,
        typed,
        [
            (~raw.str.contains(_DATE), "not a FIX date (YYYYMMDD)"),
            (typed.is_null(), "not a calendar date"),
        ],
        raw.str.contains(_DATE),
    )


def _utc_timestamp(raw: pl.Expr, dtype: pl.Datetime) -> Conversion:
    typed = raw.str.strptime(dtype, "%Y%m%d-%H:%M:%S%.f", strict=False)
    conversion = _checked(
        raw,
        typed,
        [
            (
                ~raw.str.contains(_UTC_TIMESTAMP),
                "not a FIX UTCTimestamp (YYYYMMDD-HH:MM:SS with 0, 3, 6 or 9 decimals)",
            ),
            (
                (raw.str.len_chars() == _NANOS_LENGTH) & ~raw.str.ends_with("000"),
                "sub-microsecond digits would be truncated",
            ),
            (typed.is_null(), "not a valid date and time"),
        ],
        raw.str.contains(_SURE_UTC_TIMESTAMP),
    )
    # The plain cast of the values `sure` accepts (0, 3 or 6 decimals): the seconds parsed
    # without the fraction plus the fraction as microseconds, ~3x cheaper than %.f (and
    # mostly unique values: no cache).
    seconds = raw.str.slice(0, 17).str.strptime(dtype, "%Y%m%d-%H:%M:%S", strict=False, cache=False)
    micros = raw.str.slice(18, 6).str.pad_end(6, "0").cast(pl.Int64, strict=False)
    return replace(conversion, cast=seconds + pl.duration(microseconds=micros))
