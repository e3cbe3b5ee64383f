"""The billing pass behind the report pages, made once per ledger load and shared.

Fava keeps one instance of each extension class per ledger and calls ``after_load_file``
on each after every (re)load. The Recurring Revenue and Utilization pages need the same
contracts and time, so they share one ``Books`` per load instead of each reading the
contracts and collecting the time again. The base class lives here, not in
``plugins.margin`` itself: Fava registers every extension class it finds in that module,
and a base class is not a page.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast

from fava.ext import FavaExtensionBase

from plugins.books import Books, contracts_folder, enables_plugin, ledger_postings, remembered, today
from plugins.reports.statement import Postings, by_account

if TYPE_CHECKING:  # pragma: no cover
    from beancount.core.data import Directive

Page = TypeVar("Page")

#: id(ledger) -> (the entries a pass was made from, the pass).
_SHARED: dict[int, tuple[object, Books]] = {}


def shared_books(ledger: Any, on: datetime.date) -> Books:
    """The billing pass over ``ledger.all_entries`` for ``on``, made once per load."""
    entries = ledger.all_entries
    kept = remembered(ledger.options, on)  # the plugin's own pass of this load
    if kept is not None:
        return kept
    found = _SHARED.get(id(ledger))
    if found is not None and found[0] is entries and found[1].today == on:
        return found[1]
    books = Books.of(cast("Sequence[Directive]", entries), contracts_folder(ledger.options), on)
    _SHARED[id(ledger)] = (entries, books)
    return books


class BooksPage(FavaExtensionBase):
    """A report page over the books' contracts and time (rebuilt on every load)."""

    #: ``<ClassName>.js`` beside this module: the legends follow Fava's bar chart mode.
    has_js_module = True

    books: Books | None = None
    error: str | None = None
    today: datetime.date = datetime.date.min
    _postings: tuple[object, Postings] | None = None

    def after_load_file(self) -> None:
        """Contract and time edits show on reload: extension instances outlive loads."""
        self.books, self.error, self._postings = None, None, None
        self.today = today()
        options = cast("dict[str, Any]", self.ledger.options)
        if not enables_plugin(options):
            self.error = 'the ledger does not enable plugin "plugins.retainer": add its plugin line'
            return
        try:
            self.books = shared_books(self.ledger, self.today)
        except Exception as exc:  # the page must not take Fava down; bean-check says more
            self.error = f"could not read the contracts in {contracts_folder(options)}: {exc!r}"

    def loaded(self) -> Books | str:
        """The books for this request, or why the page cannot show them."""
        if self.error is not None:
            return self.error
        if self.books is None:
            return "the report has not loaded yet: reload the page"
        return self.books

    def postings_by_account(self) -> Postings:
        """The ledger's postings by account, read once per load: each statement of the load
        picks its client's from them (reading every entry per statement took most of its time)."""
        entries = self.ledger.all_entries
        if self._postings is None or self._postings[0] is not entries:
            self._postings = (entries, by_account(ledger_postings(cast("Sequence[Directive]", entries))))
        return self._postings[1]

    def guarded(self, build: Callable[[Books], Page], failed: Callable[[str], Page]) -> Page:
        """``build(books)`` for this request, else ``failed(why)``: a page that cannot show
        its figures (books not loaded, or a bug) shows why instead of breaking Fava."""
        books = self.loaded()
        if isinstance(books, str):
            return failed(books)
        try:
            return build(books)
        except Exception as exc:
            return failed(f"could not build this report: {exc!r}")

    def not_counted(self) -> list[str]:
        """Clients whose contract fails to load: not in the figures, so the page says so."""
        return sorted(self.books.contracts.failed_clients) if self.books is not None else []
