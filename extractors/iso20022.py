"""ISO 20022 XML files: safe, streaming reading of the messages (`Document`s) in a file.

A file holds a bare `Document`, an `AppHdr` (business application header, head.001) and
its `Document` in an envelope, or several of either in any envelope element. The message
type and version come from the Document's namespace
(`urn:iso:std:iso:20022:tech:xsd:sese.024.001.10` -> "sese.024.001.10"), never from the
file name.

Parsing is hardened: no entity resolution, no network, no DTD loading or validation, no
huge trees; a document that declares a DOCTYPE at all (entity expansion bombs, external
entities) is refused as a whole before parsing. A file that is not well-formed XML
(truncated, say) is refused as a whole too: nothing read from it before the error counts.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from lxml import etree

ISO_NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:"
_HEAD = "head.001"
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_FIRST_ELEMENT = re.compile(rb"<[A-Za-z_]")
_ISO_DATETIME = re.compile(
    r"^([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?)(Z|[+-][0-9]{2}:[0-9]{2})?$"
)
_FORMAT = re.compile(r"^[a-z]{4}\.[0-9]{3}\.[0-9]{3}\.[0-9]{2}$")


class XmlFileError(Exception):
    """The file as a whole is not a safe, well-formed ISO 20022 XML file."""

    def __init__(self, reason: str, line_number: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line_number = line_number


@dataclass(slots=True)
class XmlMessage:
    message_index: int  # 1-based position of the Document in the file
    line_number: int  # source line of the Document element
    namespace: str
    message_format: str  # "sese.024.001.10"; the namespace itself when it is not ISO 20022
    family: str  # "sese.024"
    body: etree._Element | None  # the message element, the Document's first child
    header: etree._Element | None  # the AppHdr that came before the Document, if any
    header_namespace: str | None

    @property
    def is_iso(self) -> bool:
        return bool(_FORMAT.match(self.message_format))


def refuse_doctype(data: bytes) -> None:
    """A DOCTYPE before the root element (entity bombs, external entities): refuse the file."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        prolog = data[:4096].decode("utf-16", errors="ignore").encode()
    else:
        first = _FIRST_ELEMENT.search(data)
        prolog = data[: first.start()] if first else data
    if _DOCTYPE.search(prolog):
        raise XmlFileError(
            "XML declares a DOCTYPE: refused unparsed (DTDs, entity expansion and external"
            " entities are not allowed in ISO 20022 messages)",
            1,
        )


def read_messages(data: bytes) -> Iterator[XmlMessage]:
    """Every Document in the file, streamed; each element is freed once it is consumed.

    Raises XmlFileError (the caller discards what it read) when the file is unsafe or not
    well-formed, or holds no Document at all.
    """
    refuse_doctype(data)
    context = etree.iterparse(
        io.BytesIO(data),
        events=("end",),
        tag=("{*}Document", "{*}AppHdr"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    header = header_ns = None
    index = 0
    try:
        for _, element in context:
            if index == 0 and header is None and element.getroottree().docinfo.doctype:
                raise XmlFileError("XML declares a DOCTYPE: refused", 1)
            namespace, local = _split(element.tag)
            if local == "AppHdr":
                header, header_ns = element, namespace
                continue
            index += 1
            yield _message(index, element, namespace, header, header_ns)
            header = header_ns = None
            _free(element)
    except etree.XMLSyntaxError as error:
        line = error.lineno if error.lineno else None
        raise XmlFileError(
            f"not well-formed XML (truncated or corrupt): {error.msg}", line
        ) from None
    if index == 0:
        raise XmlFileError(
            f"no ISO 20022 Document element (namespace {ISO_NAMESPACE}<message>) in the file"
        )


def _message(
    index: int,
    element: etree._Element,
    namespace: str,
    header: etree._Element | None,
    header_ns: str | None,
) -> XmlMessage:
    if namespace.startswith(ISO_NAMESPACE):
        message_format = namespace[len(ISO_NAMESPACE) :]
    else:
        message_format = namespace or "Document without namespace"
    body = next(iter(element), None)
    return XmlMessage(
        message_index=index,
        line_number=element.sourceline or 0,
        namespace=namespace,
        message_format=message_format,
        family=message_format[:8],
        body=body,
        header=header,
        header_namespace=header_ns,
    )


def _free(element: etree._Element) -> None:
    """Drop the consumed Document (and whatever came before it) from the tree."""
    element.clear(keep_tail=True)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _split(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


def local_name(element: etree._Element) -> str:
    tag = element.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


@lru_cache(maxsize=4096)
def qualified(namespace: str, path: str) -> str:
    """'TxId/AcctOwnrTxId' or './/Rsn' -> the same path with the namespace on every name."""
    prefix = "{" + namespace + "}" if namespace else ""
    parts = []
    for part in path.split("/"):
        parts.append(part if part in ("", ".", "..", "*") else prefix + part)
    return "/".join(parts)


@lru_cache(maxsize=4096)
def _steps(namespace: str, path: str) -> tuple[tuple[bool, str], ...]:
    """'A/B', './/A/B', 'A//B' -> ((is descendant step, qualified tag), ...)."""
    prefix = "{" + namespace + "}" if namespace else ""
    steps = []
    descendant = False
    for part in path.split("/"):
        if part == ".":
            continue
        if part == "":
            descendant = True
            continue
        steps.append((descendant, prefix + part))
        descendant = False
    return tuple(steps)


def _walk(element: etree._Element, steps: tuple[tuple[bool, str], ...]) -> etree._Element | None:
    """The first element along the steps (lxml's C iterators: no ElementPath overhead)."""
    for descendant, tag in steps:
        found = next(
            element.iterdescendants(tag) if descendant else element.iterchildren(tag), None
        )
        if found is None:
            return None
        element = found
    return element


class Reader:
    """Namespaced look-ups in one message's elements; a path step takes the first match."""

    __slots__ = ("namespace",)

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace

    def find(self, element: etree._Element | None, path: str) -> etree._Element | None:
        if element is None:
            return None
        return _walk(element, _steps(self.namespace, path))

    def findall(self, element: etree._Element | None, path: str) -> list[etree._Element]:
        if element is None:
            return []
        *parents, (descendant, tag) = _steps(self.namespace, path)
        parent = _walk(element, tuple(parents))
        if parent is None:
            return []
        return list(parent.iterdescendants(tag) if descendant else parent.iterchildren(tag))

    def text(self, element: etree._Element | None, path: str) -> str | None:
        if element is None:
            return None
        found = _walk(element, _steps(self.namespace, path))
        if found is None or found.text is None:
            return None
        return found.text.strip() or None

    def first_text(self, element: etree._Element | None, *paths: str) -> str | None:
        for path in paths:
            value = self.text(element, path)
            if value is not None:
                return value
        return None

    def date(self, element: etree._Element | None, path: str) -> str | None:
        """A DateAndDateTime choice (`Dt/Dt` or `Dt/DtTm`) or a plain ISODate: YYYY-MM-DD."""
        found = self.find(element, path)
        if found is None:
            return None
        value = self.first_text(found, "Dt/Dt", "Dt", "DtTm", "Dt/DtTm")
        if value is None:
            value = (found.text or "").strip() or None
        if value is not None and "T" in value:
            return value[:10]  # a date and time: its date as written (the source's local date)
        return value

    def amount(self, element: etree._Element | None, path: str) -> tuple[str | None, str | None]:
        """(amount text, Ccy attribute) of an amount element, or of its Amt child."""
        found = self.find(element, path)
        if found is None:
            return None, None
        inner = self.find(found, "Amt")
        if inner is not None:
            found = inner
        text = (found.text or "").strip() or None
        return text, found.get("Ccy")

    def quantity(self, element: etree._Element | None, path: str) -> tuple[str | None, str | None]:
        """(UNIT | FAMT | AMOR, value) of a financial instrument quantity choice under path."""
        found = self.find(element, path)
        if found is None:
            return None, None
        for name, code in (("Unit", "UNIT"), ("FaceAmt", "FAMT"), ("AmtsdVal", "AMOR")):
            value = self.text(found, ".//" + name)
            if value is not None:
                return code, value
        return None, None

    def codes(self, element: etree._Element | None) -> tuple[str | None, str | None, str | None]:
        """A status choice: (status element name, reason codes, additional reason text)."""
        if element is None:
            return None, None, None
        status = next(iter(element), None)
        if status is None:
            return None, None, None
        name = local_name(status)
        if name == "Prtry":  # a proprietary status
            name = self.first_text(status, "PrtrySts/Id", "Id") or "Prtry"
        codes = []
        texts = []
        for reason in status.iter(qualified(self.namespace, "Rsn")):
            code = self.first_text(reason, "Cd/Cd", "Cd/Prtry/Id", "Cd/Prtry", "Cd")
            if code:
                codes.append(code)
            info = self.text(reason, "AddtlRsnInf")
            if info:
                texts.append(info)
        no_reason = self.text(status, "NoSpcfdRsn")
        if no_reason:
            codes.append(no_reason)
        return name, ",".join(codes) or None, "\n".join(texts) or None


def timestamp(value: str | None) -> tuple[str | None, str | None, str | None]:
    """ISODateTime -> (UTC-castable value or None, local wall clock, UTC offset).

    Without an offset the time is local to an unnamed zone: kept as written, not in UTC.
    A value that is no ISODateTime is returned as is, to fail the cast and be quarantined.
    """
    if value is None:
        return None, None, None
    match = _ISO_DATETIME.match(value)
    if match is None:
        return value, None, None
    local, offset = match.groups()
    if offset is None:
        return None, local, None
    offset = "+00:00" if offset == "Z" else offset
    return local + offset, local, offset
