"""The benchmark: ``make bench`` (``python -m bench``). Never loaded by the product: its settings
(``bench.settings``) import ``config.settings`` and add a URLconf with bare reference views."""
