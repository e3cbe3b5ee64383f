"""``retainer install-hook``: run ``retainer check`` before every git commit."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import click

from scripts.output import fail, find_ledger, ledger_option
from scripts.writing import write_files

_MARK = "# Installed by `retainer install-hook`"


def hook_text(retainer: str, ledger: str) -> str:
    """The hook: check the books exactly as they will be committed (the index, not the
    working tree), so a half-staged fix cannot slip a broken ledger in."""
    return f"""#!/bin/sh
{_MARK}: refuse a commit while the books have errors
# (a broken contract or ledger, or a closed month that no longer matches). Remove this
# file to stop checking; `git commit --no-verify` skips it once.
set -e
RETAINER={shlex.quote(retainer)}
[ -x "$RETAINER" ] || RETAINER=retainer
tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
git checkout-index --all --prefix="$tree/books/"
if ! "$RETAINER" check --quiet --ledger "$tree/books/"{shlex.quote(ledger)} >"$tree/output" 2>&1; then
    sed "s#$tree/books/##g" "$tree/output" >&2
    echo "retainer: commit refused: fix the problems above (retainer check), then commit again" >&2
    exit 1
fi
"""


@click.command("install-hook")
@ledger_option
def install_hook_command(ledger: Path | None) -> None:
    """Install a git pre-commit hook that runs `retainer check` on what is committed.

    Writes .git/hooks/pre-commit in the repository holding the ledger. The hook checks
    the staged files, so a broken ledger or an edited closed month never reaches the
    repository. An existing different pre-commit hook is left alone (add the check to
    it yourself); installing again is a no-op.

    \b
    Examples:
      retainer install-hook
      retainer install-hook --ledger ~/books/ledger/main.beancount
    """
    path = find_ledger(ledger).resolve()
    if not path.is_file():
        fail("install-hook", f"no ledger at {path}: give --ledger PATH or set RETAINER_LEDGER")
    top = _git(path.parent, "rev-parse", "--show-toplevel")
    hooks = Path(_git(path.parent, "rev-parse", "--git-path", "hooks"))
    hook = (hooks if hooks.is_absolute() else path.parent / hooks) / "pre-commit"
    retainer = shutil.which("retainer") or str(Path(sys.executable).parent / "retainer")
    text = hook_text(str(Path(retainer).resolve()), path.relative_to(Path(top).resolve()).as_posix())
    if hook.exists():
        current = hook.read_text(encoding="utf-8", errors="replace")
        if current == text:
            hook.chmod(0o755)  # a run stopped between writing and chmod left it unrunnable
            click.echo(f"retainer install-hook: already installed ({os.path.relpath(hook)})")
            return
        fail(
            "install-hook",
            f"{hook} already exists and is not this hook: left alone. Add this line to it:"
            f" retainer check --quiet --ledger {path}",
        )
    write_files({hook: text.encode("utf-8")}, path, "install-hook")  # under the books' lock
    hook.chmod(0o755)
    click.echo(f"retainer install-hook: wrote {os.path.relpath(hook)}; every commit now runs retainer check")


def _git(folder: Path, *args: str) -> str:
    try:
        run = subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        fail("install-hook", "git is not installed")
    if run.returncode != 0:
        fail("install-hook", f"{folder} is not in a git repository: {run.stderr.strip()}")
    return run.stdout.strip()
