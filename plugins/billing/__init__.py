"""Retainer's billing core: contracts, time and the rules that turn them into bills.

Pure Python over dataclasses (``model``), a strict YAML loader (``contracts``) and the
billing rules of docs/reference.md §2.2 (``rules``). The Beancount plugin, the Fava
report, the importers and the CLI are adapters over this package; none of them
re-implements a rule.
"""
