"""Each platform's message format, and the idempotency key that names a message."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

import pytest

from extractors.fix import FixMessage, read_fix
from tests.writers.intended import intended_rows
from writers import fix_confirmation_ack
from writers.messages import build_message, idempotency_key, version_of

AT = datetime(2026, 11, 24, 17, 30, 5, 123000, tzinfo=UTC)
ROWS = {row["rule_id"]: row for row in intended_rows(4)}


@pytest.mark.parametrize(
    ("rule", "affirm_status"), [("ctm_affirm_clean", "3"), ("ctm_reject_quantity", "2")]
)
def test_confirmation_ack_is_a_valid_fix_message(rule: str, affirm_status: str) -> None:
    data = build_message(ROWS[rule], AT).payload
    stream = read_fix(data)  # verifies BodyLength and CheckSum, rejects otherwise
    records = list(stream.records)
    assert len(records) == 1 and isinstance(records[0], FixMessage), records
    message = records[0]
    assert message.msg_type == "AU"
    assert message.fields["664"] == ROWS[rule]["confirm_id"]
    assert message.fields["940"] == affirm_status
    assert message.fields["75"] == "20261124"
    assert ("774" in message.fields) == (affirm_status == "2")
    body = data[data.index(b"35=") : data.index(b"10=")]
    assert int(data.split(b"\x01")[1][2:]) == len(body)
    assert int(data[-4:-1]) == sum(data[: data.index(b"10=")]) % 256


def test_frame_rejects_a_body_without_its_delimiter() -> None:
    with pytest.raises(ValueError):
        fix_confirmation_ack.frame("35=AU")


def test_sese023_links_the_corrected_instruction_to_the_previous_one() -> None:
    row = ROWS["custodian_reinstruct_ssi"]
    root = ET.fromstring(build_message(row, AT).payload)
    ns = {"s": "urn:iso:std:iso:20022:tech:xsd:sese.023.001.09"}
    instruction = root.find("s:SctiesSttlmTxInstr", ns)
    assert instruction is not None
    assert instruction.findtext("s:TxId", namespaces=ns) == f"{row['instruction_ref']}-R1"
    linked = instruction.findtext("s:Lnkgs/s:Ref/s:SctiesSttlmTxId", namespaces=ns)
    assert linked == row["instruction_ref"]
    pset = instruction.findtext("s:RcvgSttlmPties/s:Dpstry/s:Id/s:AnyBIC", namespaces=ns)
    assert pset == row["corrected_value"] != row["previous_value"]
    amount = instruction.find("s:SttlmAmt/s:Amt", ns)
    assert amount is not None and amount.get("Ccy") == "EUR" and amount.text == "12340"


def test_oms_status_is_json_with_decimals_as_strings() -> None:
    doc = json.loads(build_message(ROWS["oms_settlement_failing"], AT).payload)
    assert doc["status"] == "failing" and doc["status_reason_codes"] == "LACK"
    assert doc["quantity"] == "1000.000000"


def test_arm_resubmission_is_one_csv_row_naming_the_rejected_report() -> None:
    rows = list(
        csv.DictReader(
            io.StringIO(build_message(ROWS["arm_resubmit_rejected"], AT).payload.decode())
        )
    )
    assert len(rows) == 1
    assert rows[0]["transaction_reference"] == ROWS["arm_resubmit_rejected"]["report_ref"]
    assert rows[0]["rejected_error_codes"] == "CON-411"


def test_the_key_depends_on_the_facts_not_on_when_the_message_was_built() -> None:
    row = ROWS["oms_settlement_failing"]
    later = datetime(2026, 11, 25, tzinfo=UTC)
    assert build_message(row, AT).idempotency_key == build_message(row, later).idempotency_key
    reworded = {**row, "rule_description": "new words"}
    assert version_of(reworded) == version_of(row)
    changed = {**row, "status_reason_codes": "CLAC"}
    assert idempotency_key(changed, version_of(changed)) != idempotency_key(row, version_of(row))
    key = build_message(row, AT).idempotency_key
    assert key.startswith(f"oms:settlement_status:{row['object_id']}:failing:")
