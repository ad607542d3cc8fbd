"""The phrasebook: one entry per registry tool, each in a module of its own, holding all the
interpreter knows of that tool (its intents, arguments, clarifying questions and replies).

Entries are listed in the order their intents are tried: on equal evidence the earlier one
wins (a rejection before an approval, both before a lookup).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from agent.offline.phrasebook import (
    approve_order,
    build_summary_sheet,
    create_sheet_from_template,
    get_order,
    list_files,
    list_orders,
    list_sheets,
    notify,
    retry_order,
)
from agent.offline.phrasebook.entry import FILTERS, Entry, Filter, IntentRule

__all__ = ["FILTERS", "PHRASEBOOK", "Entry", "Filter", "IntentRule"]

PHRASEBOOK: Mapping[str, Entry] = MappingProxyType(
    {
        module.ENTRY.tool: module.ENTRY
        for module in (
            approve_order,
            retry_order,
            notify,
            build_summary_sheet,
            create_sheet_from_template,
            get_order,
            list_orders,
            list_sheets,
            list_files,
        )
    }
)
