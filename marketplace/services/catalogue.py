from django.core.exceptions import ValidationError

from common.errors import Forbidden, Invalid
from orgs.models import User
from orgs.permissions import is_platform_admin

from ..models import CatalogueItem


def catalogue_item_create(*, actor: User, code: str, name: str) -> CatalogueItem:
    if not is_platform_admin(actor):
        raise Forbidden()
    item = CatalogueItem(code=code, name=name)
    try:
        item.full_clean()
    except ValidationError as error:
        raise Invalid(error.message_dict) from error
    item.save()
    return item
