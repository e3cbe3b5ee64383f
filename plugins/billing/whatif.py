"""Proposed terms for a what-if: ``--set KEY=VALUE`` (dotted for maps) read as a term body.

The settings become a small YAML mapping that the contract loader's own term code reads,
so a what-if accepts exactly the keys and values a contract would, and refuses the rest
with the loader's message (``rates.onsite must not be negative``, ``unknown key ...``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import yaml

from . import yamlnodes as yn
from .contracts import term_keys_of, term_problems
from .model import Contract, Plan, TermKeys, Terms
from .yamlnodes import NodeError

SOURCE = "--set"


class WhatIfError(ValueError):
    """Proposed terms that cannot be read or applied: the message says which key and why."""


def parse_settings(settings: Sequence[str]) -> TermKeys:
    """``["monthly_fee=1000", "rates.onsite=140"]`` as term keys, or ``WhatIfError``."""
    tree: dict[str, object] = {}
    for setting in settings:
        key, equals, value = setting.partition("=")
        key, value = key.strip(), value.strip()
        if not equals or not key or not value:
            raise WhatIfError(
                f"--set {setting!r}: write KEY=VALUE, e.g. monthly_fee=1000 or rates.onsite=140"
            )
        _put(tree, key.split("."), value, key)
    if not tree:
        return TermKeys()
    try:
        node = yn.compose(yaml.safe_dump(tree, default_flow_style=False), SOURCE)
    except NodeError as exc:  # pragma: no cover - safe_dump writes what compose reads
        raise WhatIfError(exc.message) from None
    assert node is not None
    keys, problems = term_keys_of(node, SOURCE, "the proposed terms")
    if problems:
        raise WhatIfError(f"--set: {problems[0].message}")
    return keys


def _put(tree: dict[str, object], path: list[str], value: str, key: str) -> None:
    """Place ``value`` at the dotted ``path``; a key given as a value and as a map is refused."""
    head, rest = path[0], path[1:]
    if not head:
        raise WhatIfError(f"--set {key}: an empty part in a dotted key; e.g. rates.onsite=140")
    if not rest:
        if head in tree:
            raise WhatIfError(f"--set {key} is given twice (or also as {key}.KEY)")
        tree[head] = value
        return
    inner = tree.setdefault(head, {})
    if not isinstance(inner, dict):
        raise WhatIfError(f"--set {key}: {head} is given a value and a map at once")
    _put(inner, rest, value, key)


def proposed_terms(terms: Terms, plan: Plan | None, keys: TermKeys) -> Terms:
    """A term in force with the plan's keys, then the settings, over it (start kept)."""
    base = plan.keys.over(terms) if plan is not None else terms
    return replace(keys.over(base), start=terms.start, where=terms.where)


def proposed_contract(contract: Contract, plan: Plan | None, keys: TermKeys) -> Contract:
    """``contract`` with every term repriced, or ``WhatIfError`` if a term would be incomplete."""
    terms = tuple(proposed_terms(t, plan, keys) for t in contract.terms)
    for term in terms:
        problems = term_problems(term)
        if problems:
            raise WhatIfError(f"proposed terms from {term.start}: {problems[0]}")
    return replace(contract, terms=terms)
