"""The slice of the FIX 4.4 data dictionary the parser needs: groups, data fields, names.

Repeating groups cannot be parsed without a dictionary (the wire does not say where an
entry ends), so every group that may occur in the message types we read is listed here,
including standard ones our tables do not use (e.g. 454 NoSecurityAltID of the Instrument
component): an unlisted group would show up as duplicate tags and reject a legal message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class GroupSpec:
    """A repeating group: NoXXX count tag, the entry-delimiting first tag, the other members."""

    count_tag: str
    first_tag: str
    members: frozenset[str]  # every plain tag of an entry, first_tag included
    nested: Mapping[str, GroupSpec] = field(default_factory=dict)  # count tag -> nested group


def _group(count: str, first: str, *others: str, nested: tuple[GroupSpec, ...] = ()) -> GroupSpec:
    return GroupSpec(
        count_tag=count,
        first_tag=first,
        members=frozenset((first, *others)),
        nested={g.count_tag: g for g in nested},
    )


PARTY_SUB_IDS = _group("802", "523", "803")
PARTIES = _group("453", "448", "447", "452", nested=(PARTY_SUB_IDS,))
NESTED_PARTY_SUB_IDS = _group("804", "545", "805")
NESTED_PARTIES = _group("539", "524", "525", "538", nested=(NESTED_PARTY_SUB_IDS,))
NESTED2_PARTY_SUB_IDS = _group("806", "760", "807")
NESTED2_PARTIES = _group("756", "757", "758", "759", nested=(NESTED2_PARTY_SUB_IDS,))
MISC_FEES = _group("136", "137", "138", "139", "891")
CLEARING_INSTRUCTIONS = _group("576", "577")
# The SettlInstructionsData component (in 35=AK and in a 35=J NoAllocs entry): 172, 169,
# 170 and 171, then its delivery instructions, each with the settlement parties.
SETTL_PARTY_SUB_IDS = _group("801", "785", "786")
SETTL_PARTIES = _group("781", "782", "783", "784", nested=(SETTL_PARTY_SUB_IDS,))
DLVY_INST = _group("85", "165", "787", nested=(SETTL_PARTIES,))
SETTL_INSTRUCTIONS_DATA = ("172", "169", "170", "171")
ORDERS = _group("73", "11", "37", "198", "526", "66", "38", "799", "800", nested=(NESTED2_PARTIES,))
ALLOCS = _group(
    "78",
    "79",
    *("661", "573", "366", "80", "467", "81", "208", "209", "161", "360", "361"),
    *("12", "13", "479", "497", "153", "154", "119", "737", "120", "736", "155", "156"),
    *("742", "741", "635", "780", *SETTL_INSTRUCTIONS_DATA),
    nested=(NESTED_PARTIES, MISC_FEES, CLEARING_INSTRUCTIONS, DLVY_INST),
)
CAPACITIES = _group("862", "528", "529", "863")
EXECS = _group("124", "32", "17", "527", "31", "669", "29")
SECURITY_ALT_IDS = _group("454", "455", "456")
EVENTS = _group("864", "865", "866", "867", "868")
STIPULATIONS = _group("232", "233", "234")
CONTRA_BROKERS = _group("382", "375", "337", "437", "438", "655")
CONT_AMTS = _group("518", "519", "520", "521")
TRD_REG_TIMESTAMPS = _group("768", "769", "770", "771")
HOPS = _group("627", "628", "629", "630")

# Groups that may start at the top level of a message (count tag -> spec).
TOP_LEVEL_GROUPS: Mapping[str, GroupSpec] = {
    g.count_tag: g
    for g in (
        PARTIES,
        ORDERS,
        ALLOCS,
        CAPACITIES,
        MISC_FEES,
        EXECS,
        SECURITY_ALT_IDS,
        EVENTS,
        STIPULATIONS,
        CONTRA_BROKERS,
        CONT_AMTS,
        TRD_REG_TIMESTAMPS,
        HOPS,
        DLVY_INST,
    )
}

# FIX "data" fields may contain the delimiter; their length comes in the preceding field.
# Length tag -> data tag.
DATA_FIELDS: Mapping[str, str] = {
    "90": "91",  # SecureDataLen -> SecureData
    "93": "89",  # SignatureLength -> Signature
    "95": "96",  # RawDataLength -> RawData
    "212": "213",  # XmlDataLen -> XmlData
    "348": "349",
    "350": "351",
    "352": "353",
    "354": "355",  # EncodedTextLen -> EncodedText
    "356": "357",
    "358": "359",
    "360": "361",  # EncodedAllocTextLen -> EncodedAllocText
    "362": "363",
    "364": "365",
    "445": "446",
    "618": "619",
    "620": "621",
}

# Session-level (administrative) messages: not business data, skipped and counted.
# FIX 4.4 classes Reject (3) as administrative too.
SESSION_MSG_TYPES = frozenset({"0", "1", "2", "3", "4", "5", "A"})

FIELD_NAMES: Mapping[str, str] = {
    "1": "Account",
    "6": "AvgPx",
    "8": "BeginString",
    "9": "BodyLength",
    "10": "CheckSum",
    "11": "ClOrdID",
    "12": "Commission",
    "13": "CommType",
    "14": "CumQty",
    "15": "Currency",
    "17": "ExecID",
    "19": "ExecRefID",
    "22": "SecurityIDSource",
    "30": "LastMkt",
    "31": "LastPx",
    "32": "LastQty",
    "34": "MsgSeqNum",
    "35": "MsgType",
    "37": "OrderID",
    "38": "OrderQty",
    "39": "OrdStatus",
    "43": "PossDupFlag",
    "48": "SecurityID",
    "49": "SenderCompID",
    "52": "SendingTime",
    "53": "Quantity",
    "54": "Side",
    "55": "Symbol",
    "56": "TargetCompID",
    "58": "Text",
    "60": "TransactTime",
    "64": "SettlDate",
    "70": "AllocID",
    "71": "AllocTransType",
    "72": "RefAllocID",
    "73": "NoOrders",
    "75": "TradeDate",
    "78": "NoAllocs",
    "79": "AllocAccount",
    "80": "AllocQty",
    "85": "NoDlvyInst",
    "118": "NetMoney",
    "124": "NoExecs",
    "136": "NoMiscFees",
    "137": "MiscFeeAmt",
    "138": "MiscFeeCurr",
    "139": "MiscFeeType",
    "150": "ExecType",
    "151": "LeavesQty",
    "153": "AllocAvgPx",
    "154": "AllocNetMoney",
    "366": "AllocPrice",
    "381": "GrossTradeAmt",
    "447": "PartyIDSource",
    "448": "PartyID",
    "452": "PartyRole",
    "453": "NoPartyIDs",
    "467": "IndividualAllocID",
    "539": "NoNestedPartyIDs",
    "626": "AllocType",
    "664": "ConfirmID",
    "665": "ConfirmStatus",
    "666": "ConfirmTransType",
    "772": "ConfirmRefID",
    "773": "ConfirmType",
    "774": "ConfirmRejReason",
    "781": "NoSettlPartyIDs",
    "802": "NoPartySubIDs",
    "804": "NoNestedPartySubIDs",
    "862": "NoCapacities",
    "891": "MiscFeeBasis",
    "940": "AffirmStatus",
}


def _group_tags(groups: Mapping[str, GroupSpec]) -> set[str]:
    tags: set[str] = set()
    for spec in groups.values():
        tags |= {spec.count_tag, *spec.members, *_group_tags(spec.nested)}
    return tags


# Every tag named in this dictionary: the parser's set of tags already known to be valid.
KNOWN_TAGS = frozenset(
    {*FIELD_NAMES, *_group_tags(TOP_LEVEL_GROUPS), *DATA_FIELDS, *DATA_FIELDS.values()}
)


def label(tag: str) -> str:
    """'31 LastPx': how a field is named in quarantine rows and reasons."""
    name = FIELD_NAMES.get(tag)
    return f"{tag} {name}" if name else tag
