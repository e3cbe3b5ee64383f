"""Reports as pure modules: figures in, figures out; no Fava, no click, no Beancount loader.

Each report is shown by a Fava adapter (``plugins.margin``) and a ``retainer`` command,
both over the same module here, so the page and the terminal always agree.
"""
