from typing import Any

from rest_framework import serializers

from .models import TITLE_MAX_LENGTH, Document


class DocumentSerializer(serializers.ModelSerializer[Document]):
    """A document's metadata; its bytes are at ``documents/{id}/download/``."""

    class Meta:
        model = Document
        fields = ["id", "title", "kind", "filename", "media_type", "size", "sha256", "uploaded_at"]
        read_only_fields = fields


class DocumentUploadSerializer(serializers.Serializer[Any]):
    """A multipart upload: the file, its title and its kind (which kinds an owner takes is the
    owner's rule; the type is decided from the bytes, never the name)."""

    file = serializers.FileField(allow_empty_file=False)
    title = serializers.CharField(max_length=TITLE_MAX_LENGTH)
    kind = serializers.ChoiceField(choices=Document.Kind.choices)
