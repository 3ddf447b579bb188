"""The README's provider table is the catalog's (omniroute/providers/table.py generates it)."""

from __future__ import annotations

import os

from omniroute import ROOT
from omniroute.providers.catalog import CATALOG
from omniroute.providers.table import providers_table_markdown


def test_readme_lists_every_provider_of_the_catalog():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as readme:
        text = readme.read()
    table = providers_table_markdown()
    stale = "README's provider table is stale; paste providers.table.providers_table_markdown()"
    assert table in text, stale
    for spec in CATALOG:
        if not spec.discontinued:
            assert f"{spec.name} `{spec.prefix}`" in table, spec.id
