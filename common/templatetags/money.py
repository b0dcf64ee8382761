from django import template

from common.money import yuan

register = template.Library()

# ``{{ amount|yuan }}``: an amount in fen as yuan, 30000000 → "300,000.00" (``common.money.yuan``).
register.filter("yuan", yuan)
