"""The text of a new client's contract on a practice plan (``retainer new-client``).

Pure: the caller checks the text with the real loader before it is written, so a new
contract always loads clean, whatever the plan or the device counts given.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Mapping, Sequence

_DEVICE = re.compile(r"^[a-z][a-z0-9_-]*\Z")


class NewClientError(ValueError):
    """An option that cannot make a contract: the message says which and how to fix it."""


def parse_devices(text: str | None) -> dict[str, int]:
    """``workstation=10,server=1`` as device counts."""
    found: dict[str, int] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        kind, equals, count = (piece.strip() for piece in part.partition("="))
        if not equals or not _DEVICE.match(kind) or not (count.isascii() and count.isdigit()):
            raise NewClientError(
                f"--devices {part.strip()!r}: write TYPE=N,... with whole counts,"
                " e.g. workstation=10,server=1"
            )
        if kind in found:
            raise NewClientError(f"--devices: {kind} is given twice")
        found[kind] = int(count)
    return found


def contract_text(
    client: str,
    plan: str,
    start: datetime.date,
    name: str | None = None,
    devices: Mapping[str, int] | None = None,
    comment: Sequence[str] = (),
) -> str:
    """A contract of one term on ``plan`` (names quoted as JSON strings, valid YAML)."""
    lines = [f"# {line}" for line in comment]
    lines.append(f"client: {client}")
    if name:
        lines.append(f"name: {json.dumps(name, ensure_ascii=False)}")
    lines += ["terms:", f"  - from: {start.isoformat()}", f"    plan: {plan}"]
    if devices:
        counts = ", ".join(f"{kind}: {count}" for kind, count in devices.items())
        lines.append(f"    devices: {{{counts}}}")
    return "\n".join(lines) + "\n"
