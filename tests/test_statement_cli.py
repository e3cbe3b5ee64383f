"""``retainer statement`` as a user runs it: JSON as documented, Markdown, HTML, PDF, --all."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image
from statement_support import ACME, ACME_LEDGER, PRACTICE
from support import Books, WriteBooks

from scripts.cli import main

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "ledger" / "main.beancount"
DEMO_CLIENTS = sorted(path.stem for path in (ROOT / "contracts").glob("*.yaml") if path.stem != "practice")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def acme(write_books: WriteBooks) -> Books:
    return write_books(ACME_LEDGER, {"acme-dental": ACME}, PRACTICE)


def test_json_is_exactly_the_documented_document(acme: Books) -> None:
    code, out, err = run(
        "statement", "acme-dental", "2026-01", "--ledger", str(acme.path), "--format", "json"
    )
    assert code == 0, err
    document = json.loads(out)
    assert list(document) == [
        "client", "name", "currency", "from", "through", "lines", "total",
        "hours", "visits", "time", "account",
    ]  # fmt: skip
    assert (document["client"], document["name"], document["currency"]) == (
        "acme-dental",
        "Acme Dental LLC",
        "USD",
    )
    assert (document["from"], document["through"]) == ("2026-01", "2026-01")
    # Worked by hand in test_statement.py: 990.00 + 562.50 + 180.00 = 1732.50.
    assert [(line["kind"], line["month"], line["amount"]) for line in document["lines"]] == [
        ("retainer", "2026-01", "990.00"), ("hourly", "2026-01", "562.50"), ("travel", "2026-01", "180.00"),
    ]  # fmt: skip
    assert all(set(line) == {"kind", "month", "amount", "description"} for line in document["lines"])
    assert document["lines"][2]["description"] == "4 visits × $45 trip fee"
    assert document["total"] == "1732.50"
    assert document["hours"] == {
        "remote": {"worked": "1.75", "billable": "1.00", "included": "unlimited", "included_used": "1.00",
                   "billed": "0.00"},
        "onsite": {"worked": "6.70", "billable": "7.25", "included": "4.00", "included_used": "4.00",
                   "billed": "3.25"},
    }  # fmt: skip
    assert document["visits"][0] == {"date": "2026-01-05", "amount": "45.00"}
    assert len(document["visits"]) == 4
    assert document["time"][0] == {
        "date": "2026-01-05", "staff": "alice", "kind": "onsite", "hours": "1.20", "billable_hours": "1.25",
        "after_hours": False, "billable": True, "note": "Replaced switch in server room",
    }  # fmt: skip
    assert document["time"][-1]["billable"] is False
    assert document["time"][-1]["billable_hours"] == "0.00"
    assert len(document["time"]) == 6
    assert document["account"] == {
        "opening": "0.00",
        "charges": "1732.50",
        "payments": "0.00",
        "closing": "1732.50",
    }


def test_json_of_several_months_with_a_payment(acme: Books) -> None:
    code, out, err = run(
        "statement",
        "acme-dental",
        "2026-02",
        "--through",
        "2026-03",
        "--ledger",
        str(acme.path),
        "--format",
        "json",
    )
    assert code == 0, err
    document = json.loads(out)
    assert (document["from"], document["through"], document["total"]) == ("2026-02", "2026-03", "1980.00")
    # Before February 1732.50; two retainers 990.00; received 1732.50 + 990.00; due 990.00.
    assert document["account"] == {
        "opening": "1732.50", "charges": "1980.00", "payments": "2722.50", "closing": "990.00",
    }  # fmt: skip


def test_markdown_for_an_email(acme: Books) -> None:
    code, out, err = run("statement", "acme-dental", "2026-01", "--ledger", str(acme.path))
    assert code == 0, err
    assert out.startswith("# Statement AcmeDental-2026-01\n")
    assert "Northwind IT · 12 Harbour St · Portland, ME 04101" in out
    assert "**To:** Dr. Jane Ortiz, Acme Dental LLC (jane@acmedental.example)" in out
    assert "| 2026-01 | Travel | 4 visits × $45 trip fee | $180.00 |" in out
    assert "| | **Total** | | **$1,732.50** |" in out
    assert "| **Balance due** | **$1,732.50** |" in out
    assert "| 2026-01-20 | bob | on site, after hours | 0.50 | 0.50 + 0.50 visit minimum |  |" in out
    assert "| 2026-01-05 | Alice Moreau | on site | 1.20 | 1.25 | Replaced switch in server room |" in out
    # The note's markup is shown as text, not made bold (nor a table column by a "|").
    assert "\\<b\\>Looked\\</b\\> into the 'printer' & \\<script\\>alert(1)\\</script\\>" in out
    assert "not billed" in out


def test_html_shows_markup_as_text(write_books: WriteBooks) -> None:
    # A contract's name may not hold markup (it is a Fava payee), but a contact's may.
    marked = ACME.replace("name: Dr. Jane Ortiz", 'name: "Dr. <i>Jane</i> & Sons"')
    books = write_books(ACME_LEDGER, {"acme-dental": marked}, PRACTICE)
    code, out, err = run(
        "statement", "acme-dental", "2026-01", "--ledger", str(books.path), "--format", "html"
    )
    assert code == 0, err
    assert "Dr. &lt;i&gt;Jane&lt;/i&gt; &amp; Sons" in out
    assert (
        "&lt;b&gt;Looked&lt;/b&gt; into the &#39;printer&#39; &amp; &lt;script&gt;alert(1)&lt;/script&gt;"
        in out
    )
    assert "<i>Jane</i>" not in out and "<script>" not in out and "<b>Looked" not in out
    assert "Due within 14 days" in out
    assert "size: Letter" in out  # a dollar practice prints on Letter


def test_pdf_of_a_demo_statement_is_a_printed_page(tmp_path: Path) -> None:
    """Printed by WeasyPrint, rasterised by poppler's pdftoppm, and read back pixel by pixel."""
    pdf = tmp_path / "bayview.pdf"
    code, out, err = run("statement", "bayview-dental", "2026-06", "--ledger", str(DEMO), "-o", str(pdf))
    assert code == 0, err
    assert out.strip() == str(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert shutil.which("pdftoppm"), "pdftoppm (Debian's poppler-utils) is needed: make poppler"
    subprocess.run(
        ["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")], check=True
    )
    [png] = tmp_path.glob("page*.png")
    page = Image.open(png).convert("L")
    width, height = page.size
    assert (width, height) == (425, 550)  # Letter, 8.5 × 11 in at 50 dpi
    ink = sum(page.histogram()[:200])  # pixels darker than light grey
    assert ink > width * height // 50  # text and rules on at least 2% of the page
    top = page.crop((0, 0, width, height // 8))
    assert sum(top.histogram()[:200]) > 100  # the letterhead is printed
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "BayviewDental-2026-06" in text and "Dr. Maria Ellison" in text
    assert "2 visits × $25 trip fee" in text


def test_pdf_prints_markup_as_text(acme: Books, tmp_path: Path) -> None:
    pdf = tmp_path / "acme.pdf"
    code, _, err = run("statement", "acme-dental", "2026-01", "--ledger", str(acme.path), "-o", str(pdf))
    assert code == 0, err
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    text = "".join(text.split())  # the note column wraps (even after "</")
    assert "<b>Looked</b>intothe'printer'&<script>alert(1)</script>" in text


def test_all_demo_clients_one_file_each(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    code, out, err = run(
        "statement", "--all", "2026-06", "--ledger", str(DEMO), "--format", "md", "-o", str(folder)
    )
    assert code == 0, err
    written = sorted(path.name for path in folder.iterdir())
    assert written == [f"{client}-2026-06.md" for client in DEMO_CLIENTS]
    assert out.split() == [str(folder / name) for name in written]
    greenleaf = (folder / "greenleaf-cpa-2026-06.md").read_text(encoding="utf-8")
    assert greenleaf.startswith("# Statement GreenleafCpa-2026-06")
    # Running again writes nothing new: every file is left as it was.
    inodes = {path.name: path.stat().st_ino for path in folder.iterdir()}
    assert (
        run("statement", "--all", "2026-06", "--ledger", str(DEMO), "--format", "md", "-o", str(folder))[0]
        == 0
    )
    assert {path.name: path.stat().st_ino for path in folder.iterdir()} == inodes


def test_all_writes_pdfs_into_statements_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run("statement", "--all", "2026-10", "--ledger", str(DEMO))
    assert code == 0, err
    written = sorted(path.name for path in (tmp_path / "statements").iterdir())
    # Lumen Architecture's agreement ended in August: no statement for October, and it says so.
    expected = [f"{client}-2026-10.pdf" for client in DEMO_CLIENTS if client != "lumen-architects"]
    assert written == expected
    assert "no agreement in 2026-10: lumen-architects" in err
    for name in written:
        pdf = tmp_path / "statements" / name
        assert pdf.read_bytes().startswith(b"%PDF-")
        # Printed longest first on every core: each file still holds its own client's statement.
        client = name.removesuffix("-2026-10.pdf")
        markdown = run("statement", client, "2026-10", "--ledger", str(DEMO), "--format", "md")[1]
        number = markdown.splitlines()[0].removeprefix("# Statement ").replace("\\", "")
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert f"No. {number}" in text


def test_all_for_a_month_not_billed_yet_says_so_and_writes_nothing(tmp_path: Path) -> None:
    # The demo is accrued through 2026-10: November has agreements in force but no bills yet,
    # which is not "no agreement".
    folder = tmp_path / "out"
    code, _, err = run("statement", "--all", "2026-11", "--ledger", str(DEMO), "-o", str(folder))
    assert code != 0
    assert "2026-11 is not billed yet: the books are accrued through 2026-10" in err
    assert "no agreement" not in err
    assert not folder.exists()


def test_output_format_follows_the_file_name(acme: Books, tmp_path: Path) -> None:
    target = tmp_path / "deep" / "acme.json"
    code, _, err = run("statement", "acme-dental", "2026-01", "--ledger", str(acme.path), "-o", str(target))
    assert code == 0, err
    assert json.loads(target.read_text(encoding="utf-8"))["total"] == "1732.50"
    assert not [path for path in target.parent.iterdir() if path.name.startswith(".")]  # no temporary left


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["acme-dental", "2026-13"], "MONTH '2026-13' is not a month: write it as YYYY-MM"),
        (["acme", "2026-01"], "no contract for client 'acme': use one of acme-dental"),
        (["acme-dental", "2026-04"], "2026-04 is not billed yet: the books are accrued through 2026-03"),
        (["acme-dental"], "give a client and a month"),
        (["--all", "acme-dental", "2026-01"], "with --all give just the month"),
        (["acme-dental", "2026-02", "--through", "2026-01"], "--through 2026-01 is before 2026-02"),
    ],
)
def test_mistakes_get_one_line(acme: Books, args: list[str], says: str) -> None:
    code, out, err = run("statement", *args, "--ledger", str(acme.path))
    assert code == 1
    assert says in err
    assert out == ""


def test_a_broken_contract_says_so(write_books: WriteBooks) -> None:
    broken = ACME.replace("contact: {name:", "contact: {nme:")
    books = write_books(ACME_LEDGER, {"acme-dental": broken}, PRACTICE)
    code, _, err = run("statement", "acme-dental", "2026-01", "--ledger", str(books.path))
    assert code == 1
    assert "unknown key 'nme' in contact (did you mean 'name'?)" in err
    assert "the contract of 'acme-dental' does not load" in err


def test_help_has_examples() -> None:
    code, out, _ = run("statement", "--help")
    assert code == 0
    assert "retainer statement --all 2026-06" in out and "--ledger" in out and "--through" in out


def test_a_euro_client_prints_on_a4_in_euros(write_books: WriteBooks) -> None:
    euro = "client: euro-co\nname: Euro Co\ncurrency: EUR\nterms:\n  - from: 2026-01-01\n"
    euro += "    monthly_fee: 1250\n"
    books = write_books("", {"euro-co": euro}, "accrue_through: 2026-01\n")
    code, out, err = run("statement", "euro-co", "2026-01", "--ledger", str(books.path), "--format", "html")
    assert code == 0, err
    assert "size: A4" in out
    assert "€1,250.00" in out and "€1,250 monthly fee" in out
    # No contact: addressed to the client; no practice name: the statement still prints.
    assert '<div class="who">Euro Co</div>' in out


EXTRA_HOURLY = """\
2026-01-31 * "Acme Dental LLC" "Hourly, booked by hand"
  Assets:Receivable:AcmeDental          50.00 USD
  Income:Clients:AcmeDental:Hourly
"""


def test_a_posting_the_contract_does_not_explain_is_shown_as_booked_and_noted(
    write_books: WriteBooks,
) -> None:
    books = write_books(ACME_LEDGER + EXTRA_HOURLY, {"acme-dental": ACME}, PRACTICE)
    code, out, err = run(
        "statement", "acme-dental", "2026-01", "--ledger", str(books.path), "--format", "json"
    )
    assert code == 0, err
    hourly = [line for line in json.loads(out)["lines"] if line["kind"] == "hourly"]
    # Both hourly postings, as booked: the plugin's 562.50 explained, the 50.00 only labelled.
    assert sorted((line["amount"], line["description"][:9]) for line in hourly) == [
        ("50.00", "Hours bey"), ("562.50", "3.25 h on"),
    ]  # fmt: skip
    assert "2026-01 hourly: the books hold $50, the contract now gives $562.50" in err
    code, page, _ = run(
        "statement", "acme-dental", "2026-01", "--ledger", str(books.path), "--format", "html"
    )
    assert "data-notes" not in page  # the client's copy carries no notes for the consultant


def test_all_again_reads_unchanged_statements_back_and_prints_a_changed_one(
    write_books: WriteBooks, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from plugins.reports import printing

    cache = tmp_path / "cache"
    monkeypatch.setenv("RETAINER_CACHE_DIR", str(cache))
    beta = ACME.replace("client: acme-dental", "client: beta-dental").replace(
        "account: AcmeDental", "account: BetaDental"
    )
    beta_time = '2026-01-07 custom "time" "beta-dental" "remote" 1.0\n  staff: "alice"\n'
    books = write_books(ACME_LEDGER + beta_time, {"acme-dental": ACME, "beta-dental": beta}, PRACTICE)
    ledger = str(books.path)

    def statements(folder: str) -> dict[str, bytes]:
        code, _, err = run("statement", "--all", "2026-01", "--ledger", ledger, "-o", str(tmp_path / folder))
        assert code == 0, err
        return {path.name: path.read_bytes() for path in (tmp_path / folder).iterdir()}

    first = statements("first")
    assert sorted(first) == ["acme-dental-2026-01.pdf", "beta-dental-2026-01.pdf"]
    assert len(list(cache.glob("*.pdf"))) == 2

    def printed(html: str) -> bytes:
        raise AssertionError("an unchanged statement was printed again")

    with monkeypatch.context() as patched:  # the printer's processes fork with this patch
        patched.setattr(printing, "render_pdf", printed)
        assert statements("again") == first

    # A new entry for Beta in January: its statement is printed afresh, Acme's read back.
    books.path.write_text(
        books.path.read_text() + '2026-01-28 custom "time" "beta-dental" "remote" 0.5\n'
        '  staff: "alice"\n  note: "Printer queue cleared"\n'
    )
    changed = statements("changed")
    assert changed["acme-dental-2026-01.pdf"] == first["acme-dental-2026-01.pdf"]
    assert changed["beta-dental-2026-01.pdf"] != first["beta-dental-2026-01.pdf"]
    path = tmp_path / "changed" / "beta-dental-2026-01.pdf"
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Printer queue cleared" in text
    assert len(list(cache.glob("*.pdf"))) == 3
