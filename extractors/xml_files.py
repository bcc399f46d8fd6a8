"""One ISO 20022 XML file to an ExtractedFile: the loop every XML platform shares.

Each platform only says how one message maps to its tables; reading the file safely,
counting messages, quarantining a message type the platform does not handle, and
quarantining the whole file when it is not well-formed are the same everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace

from extractors.batches import combined
from extractors.extracted import ExtractedFile
from extractors.iso20022 import XmlFileError, XmlMessage, read_messages
from extractors.records import Problems, Syntax, Table, extract_result

MessageMapper = Callable[[XmlMessage, Mapping[str, Table], Problems], None]


def quarantine_unhandled(platform: str, message: XmlMessage, problems: Problems) -> None:
    problems.add(
        message.line_number,
        message.message_index,
        message.message_format,
        "Document",
        message.namespace,
        f"message type {message.message_format} is not handled by platform {platform}"
        if message.body is not None
        else "empty Document",
    )


def extract_xml_file(
    platform: str,
    source_file: str,
    data: bytes,
    sha256: str,
    tables: Mapping[str, Table],
    map_message: MessageMapper,
) -> ExtractedFile:
    batches = xml_batches(platform, source_file, data, sha256, lambda: tables, map_message, 0)
    return combined(batches)


def xml_batches(
    platform: str,
    source_file: str,
    data: bytes,
    sha256: str,
    new_tables: Callable[[], Mapping[str, Table]],
    map_message: MessageMapper,
    batch_messages: int,
) -> Iterator[ExtractedFile]:
    """The file's Documents, typed every `batch_messages` of them (0: all at once)."""
    tables, problems = new_tables(), Problems()
    count = in_batch = 0
    try:
        for message in read_messages(data):
            count += 1
            in_batch += 1
            map_message(message, tables, problems)
            if in_batch == batch_messages:
                yield extract_result(
                    platform, source_file, sha256, Syntax.XML, tables, problems, in_batch, False
                )
                tables, problems, in_batch = new_tables(), Problems(), 0
    except XmlFileError as error:
        # Nothing read before the error is kept: a file that is not well-formed is
        # quarantined whole (and voids the batches already given).
        problems = Problems()
        problems.add(error.line_number, None, None, None, None, error.reason)
        whole = extract_result(platform, source_file, sha256, None, tables, problems, count, True)
        yield replace(whole, voids_previous=True)
        return
    yield extract_result(
        platform, source_file, sha256, Syntax.XML, tables, problems, in_batch, False
    )
