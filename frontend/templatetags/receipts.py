from django import template

from marketplace.receipts import receipt_reference

register = template.Library()

# ``{{ bid.receipt|receipt_reference }}``: the short reference people read out, 3F2A9-C81D0.
register.filter("receipt_reference", receipt_reference)
