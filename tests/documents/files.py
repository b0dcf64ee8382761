"""Minimal real files of each accepted type, and some that are not (docs/rules.md §17.2)."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

from demo.files import tiny_pdf, tiny_png

__all__ = ["tiny_pdf", "tiny_png"]

PDF = tiny_pdf("Tender documents")
PNG = tiny_png()
JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000") + b"\x00" * 64 + b"\xff\xd9"


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


CONTENT_TYPES = (
    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
)
DOCX = _zip({"[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": b"<r/>", "word/document.xml": b"<w/>"})
XLSX = _zip({"[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": b"<r/>", "xl/workbook.xml": b"<x/>"})
OFD = _zip({"OFD.xml": b'<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"/>', "Doc_0/Document.xml": b"<d/>"})
PLAIN_ZIP = _zip({"notes.txt": b"hello"})


def _central_directory_patched(package: bytes, offset: int, value: bytes) -> bytes:
    """``package`` with ``value`` written at ``offset`` of each central directory entry (the parts'
    list zipfile reads, APPNOTE 4.3.12), as a mutated or hostile upload would carry."""
    patched = bytearray(package)
    start = patched.find(b"PK\x01\x02")
    while start != -1:
        patched[start + offset : start + offset + len(value)] = value
        start = patched.find(b"PK\x01\x02", start + 4)
    return bytes(patched)


# Broken packages zipfile raises other than BadZipFile on: a version it does not implement
# (NotImplementedError), a part encrypted or compressed with a method no office reader knows, a
# directory cut short.
DOCX_FUTURE_VERSION = _central_directory_patched(DOCX, 6, b"\xff\x00")  # "version needed" 25.5
DOCX_ENCRYPTED = _central_directory_patched(DOCX, 8, b"\x01\x00")  # general purpose flag: encrypted
XLSX_UNKNOWN_COMPRESSION = _central_directory_patched(XLSX, 10, b"\x63\x00")  # method 99 (AES)
OFD_TRUNCATED_DIRECTORY = OFD[: OFD.find(b"PK\x01\x02") + 30] + OFD[-22:]
BROKEN_PACKAGES = [DOCX_FUTURE_VERSION, DOCX_ENCRYPTED, XLSX_UNKNOWN_COMPRESSION, OFD_TRUNCATED_DIRECTORY]

HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120

ACCEPTED = {
    "pdf": (PDF, "application/pdf"),
    "ofd": (OFD, "application/ofd"),
    "docx": (DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": (XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "jpg": (JPEG, "image/jpeg"),
    "png": (PNG, "image/png"),
}


def upload(content: bytes = PDF, name: str = "tender.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def body(
    content: bytes = PDF,
    name: str = "tender.pdf",
    title: str = "Tender documents",
    kind: str = "tender_documents",
):
    return {"file": upload(content, name), "title": title, "kind": kind}
