"""The pages of challenges (质疑) and complaints (投诉) (docs/rules.md §17.5), for the provider, the
bureau and the review body; the public tender page shows the replied ones."""
