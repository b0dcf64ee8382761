"""A document's type decided from its content, never its name (docs/rules.md §17.2): PDF, JPEG and
PNG by their signatures (the ``filetype`` library); DOCX, XLSX and OFD are zip packages told apart
by the parts inside (``word/``, ``xl/``, ``OFD.xml`` at the root). Anything else — HTML, programs,
other zips, broken or encrypted packages, a name that promises another type — is refused. Pure
functions on a seekable file."""

import os
import zipfile
from dataclasses import dataclass
from typing import IO

import filetype


@dataclass(frozen=True)
class FileType:
    extension: str  # the canonical one, without the dot
    media_type: str
    extensions: tuple[str, ...]  # what a file name of this type may end with


PDF = FileType("pdf", "application/pdf", ("pdf",))
OFD = FileType("ofd", "application/ofd", ("ofd",))
DOCX = FileType("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ("docx",))
XLSX = FileType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ("xlsx",))
JPEG = FileType("jpg", "image/jpeg", ("jpg", "jpeg"))
PNG = FileType("png", "image/png", ("png",))
ACCEPTED = (PDF, OFD, DOCX, XLSX, JPEG, PNG)
ACCEPTED_EXTENSIONS = frozenset(ext for kind in ACCEPTED for ext in kind.extensions)
MEDIA_TYPES = tuple(kind.media_type for kind in ACCEPTED)

_HEAD_BYTES = 8192
_ZIP_SIGNATURE = b"PK\x03\x04"
_BY_FILETYPE = {"pdf": PDF, "jpg": JPEG, "png": PNG}


_READABLE_COMPRESSION = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})


def _zip_type(file: IO[bytes]) -> FileType | None:
    """The package a zip is, by its parts: only the central directory is read, nothing unpacked.
    A package no office reader opens — a part encrypted or compressed other than stored/deflated —
    is refused like a broken one."""
    try:
        with zipfile.ZipFile(file) as archive:
            parts = archive.infolist()
    except Exception:
        # The bytes are the uploader's: zipfile raises whatever its parser meets (BadZipFile, but
        # also NotImplementedError for a version it does not know, struct.error, EOFError, ...),
        # and any of them means a broken file, never a server error.
        return None
    if any(part.flag_bits & 0x1 or part.compress_type not in _READABLE_COMPRESSION for part in parts):
        return None
    names = [part.filename for part in parts]
    if "OFD.xml" in names:
        return OFD
    if "[Content_Types].xml" in names:
        if any(name.startswith("word/") for name in names):
            return DOCX
        if any(name.startswith("xl/") for name in names):
            return XLSX
    return None


def detect(file: IO[bytes]) -> FileType | None:
    """The accepted type ``file``'s bytes are, or ``None``. The file is left at its start."""
    file.seek(0)
    head = file.read(_HEAD_BYTES)
    file.seek(0)
    try:
        if head.startswith(_ZIP_SIGNATURE):
            return _zip_type(file)
        guessed = filetype.guess(head)
        return _BY_FILETYPE.get(guessed.extension) if guessed is not None else None
    finally:
        file.seek(0)


def name_agrees(filename: str, kind: FileType) -> bool:
    """A name ending in an accepted type's extension must be that type (``report.pdf`` holding a
    PNG is refused); other names are not judged."""
    extension = os.path.splitext(filename)[1].lower().lstrip(".")
    return extension not in ACCEPTED_EXTENSIONS or extension in kind.extensions


def stored_filename(filename: str, kind: FileType) -> str:
    """The name a download carries: the original's last path part, with the type's extension added
    when the name does not end in one of it (``scan`` → ``scan.pdf``)."""
    name = os.path.basename(filename.replace("\\", "/")).strip() or "document"
    extension = os.path.splitext(name)[1].lower().lstrip(".")
    if extension not in kind.extensions:
        name = f"{name}.{kind.extension}"
    return name[-200:]
