"""One ISO 20022 XML file to an ExtractedFile: the loop every XML platform shares.

Each platform only says how one message maps to its tables; reading the file safely,
counting messages, quarantining a message type the platform does not handle, and
quarantining the whole file when it is not well-formed are the same everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

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
    problems = Problems()
    count = 0
    try:
        for message in read_messages(data):
            count += 1
            map_message(message, tables, problems)
    except XmlFileError as error:
        # Nothing read before the error is kept: a file that is not well-formed is
        # quarantined whole.
        problems = Problems()
        problems.add(error.line_number, None, None, None, None, error.reason)
        return extract_result(platform, source_file, sha256, None, tables, problems, count, True)
    return extract_result(platform, source_file, sha256, Syntax.XML, tables, problems, count, False)
