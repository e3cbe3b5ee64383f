"""One module per ``retainer`` command, each a thin adapter over the billing pass and reports."""
