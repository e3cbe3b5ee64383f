"""Tests of the Client Margin report (plugins.margin, plugins.billing.portfolio)."""
