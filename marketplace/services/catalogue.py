import rules
from django.core.exceptions import ValidationError

from common.errors import Forbidden, Invalid
from orgs.models import User

from ..models import CatalogueItem


def catalogue_item_create(*, actor: User, code: str, name: str) -> CatalogueItem:
    if not rules.has_perm("marketplace.add_catalogue_item", actor):
        raise Forbidden()
    item = CatalogueItem(code=code, name=name)
    try:
        item.full_clean()
    except ValidationError as error:
        raise Invalid(error.message_dict) from error
    item.save()
    return item
