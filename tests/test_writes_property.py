"""Property: a commit killed at any step is, once recovered, all old or all new — never a mix.

Hypothesis picks the books (files present or not, one reached through a symlink), the
change (new content, deletion, a file in a folder that does not exist yet) and the step
at which a real process committing it is SIGKILLed. Before the journal is decided the
books must come back exactly as they were; from then on exactly as the commit meant.
"""

from __future__ import annotations

import itertools
import subprocess
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from writes_support import LIMIT, commit_command, files_of, kill, leftovers, paused

from plugins.writes import recover

NAMES = ["main.beancount", "time/2026-01.beancount", "time/2026-02.beancount", "linked.beancount"]
NEW_FOLDER = "closed/2026-01.beancount"
TEXT = st.lists(st.sampled_from(["a", "é", " ", "\r\n", "\n", ";", '"']), max_size=20).map("".join)
_runs = itertools.count()


@st.composite
def cases(draw: st.DrawFn) -> tuple[dict[str, str | None], dict[str, str | None], str | None]:
    """(files before, None = absent; the change, None = delete; the step to kill at, or None)."""
    before = {name: draw(st.none() | TEXT) for name in NAMES}
    before["linked.beancount"] = draw(TEXT)  # a link to a file outside the books
    names = [*NAMES, NEW_FOLDER]
    change = draw(st.dictionaries(st.sampled_from(names), st.none() | TEXT, min_size=1))
    if change.get("linked.beancount", "") is None:
        del change["linked.beancount"]  # deleting the link is tested on its own
    # The steps the commit really takes: unchanged files and absent deletions are skipped.
    effective = [name for name, text in change.items() if text != before.get(name)]
    writes = [number for number, name in enumerate(effective, 1) if change[name] is not None]
    steps: list[str | None] = [None]
    if effective:
        steps += ["prepared", "decided", "renamed-all"]
        steps += [f"temp-{number}" for number in writes]
        steps += [f"renamed-{number}" for number in range(1, len(effective) + 1)]
    return before, change, draw(st.sampled_from(steps))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=cases())
def test_a_killed_commit_recovers_to_all_old_or_all_new(
    tmp_path: Path, case: tuple[dict[str, str | None], dict[str, str | None], str | None]
) -> None:
    before, change, step = case
    root = tmp_path / f"run-{next(_runs)}"
    folder, outside = root / "ledger", root / "outside" / "target.beancount"
    (folder / "time").mkdir(parents=True)
    outside.parent.mkdir()
    for name, text in before.items():
        if name == "linked.beancount":
            outside.write_bytes((text or "").encode())
            (folder / name).symlink_to(outside)
        elif text is not None:
            (folder / name).write_bytes(text.encode())
    old = files_of(root)
    expected = dict(old)
    for name, text in change.items():
        key = "outside/target.beancount" if name == "linked.beancount" else f"ledger/{name}"
        if text is None:
            expected.pop(key, None)
        else:
            expected[key] = text.encode()
        if name == "linked.beancount" and text is not None:
            expected["ledger/linked.beancount"] = text.encode()  # read through the link

    command = commit_command(folder, {folder / name: text for name, text in change.items()})
    if step is None:  # not killed: the commit runs to its end
        assert subprocess.run(command, check=False, timeout=LIMIT).returncode == 0
    else:
        kill(paused(command, step, root / "paused"))
        (root / "paused").unlink(missing_ok=True)
    recover(folder)
    decided = step is None or step.startswith("renamed") or step == "decided"
    assert files_of(root) == (expected if decided else old)
    assert leftovers(root) == []
    assert (folder / "linked.beancount").is_symlink()
