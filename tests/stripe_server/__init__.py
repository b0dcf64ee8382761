"""A local Stripe-compatible server for tests: localstripe plus the Connect pieces it lacks."""
