"""Tests of the Client Margin report (plugins.margin, plugins.reports)."""
