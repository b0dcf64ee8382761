"""Payments of instalments: one gateway interface (treasury, Stripe Connect), exactly-once."""
