"""arm: the regulatory reporting venue's acknowledgements of our reports (CSV).

File format: sandbox/README.md, "Platform file formats: ccp, arm, refdata". An
acknowledgement names the report by its transaction reference, `<OrderID>-<version>` of
the reported trade; a rejection (`RJCT`) carries its validation error codes.
"""

from __future__ import annotations

from collections.abc import Mapping

from extractors.extracted import ExtractedFile
from extractors.vendor_csv import Column, FileKind, one_of, parse_csv, pattern

PLATFORM = "arm"

ERROR_CODES = pattern(
    r"[A-Z0-9]+(?:-[A-Z0-9]+)*(?:;[A-Z0-9]+(?:-[A-Z0-9]+)*)*",
    "a ';'-separated list of error codes (e.g. CON-023;CON-411)",
)


def _codes_match_status(values: Mapping[str, str | None]) -> list[tuple[str, str | None, str]]:
    status, codes = values["status"], values["error_codes"]
    if status == "RJCT" and codes is None:
        return [("error_codes", None, "required for a rejection (RJCT)")]
    if status == "ACPT" and codes is not None:
        return [("error_codes", codes, "error codes on an accepted report (ACPT)")]
    return []


REPORT_ACKS = FileKind(
    table="arm_report_acks",
    message_format="arm.report_acks",
    columns=(
        Column("transaction_reference"),
        Column("arm_report_id"),
        Column("report_type", check=one_of("NEWT", "CANC")),
        Column("trade_date"),
        Column("status", check=one_of("ACPT", "RJCT")),
        Column("error_codes", required=False, check=ERROR_CODES),
        Column("error_description", required=False),
        Column("submitted_at", required=False),
        Column("acknowledged_at"),
    ),
    business_date="trade_date",
    record_check=_codes_match_status,
)

KINDS = (REPORT_ACKS,)


def parse(source_file: str, data: bytes, sha256: str) -> ExtractedFile:
    """One delivered arm acknowledgements file."""
    return parse_csv(PLATFORM, KINDS, source_file, data, sha256)
