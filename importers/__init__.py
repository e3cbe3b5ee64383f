"""Time-tracker CSV exports into the books: ``retainer import`` and beangulp importers.

See ``README.md`` here for exporting from each tracker and the rules that place a row.
"""
