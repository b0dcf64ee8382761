"""The error codes the documents app raises (``common.errors.ErrorCode``; docs/rules.md §16)."""

from common.errors import ErrorCode


class DocumentsError(ErrorCode):
    INVALID_FILE = "invalid_file", 400
    FILE_TOO_LARGE = "file_too_large", 413
    NOT_REMOVABLE = "document_not_removable"
