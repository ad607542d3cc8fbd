"""Matching typed names against existing ones: loose for listings, strict for changes."""

from __future__ import annotations

import pytest

from tools.errors import NotFound
from tools.names import NameChoice, resolve_name

TEMPLATES = [
    "Invoice.xlsx",
    "Order Template.xlsx",
    "Order Tracker.xlsx",
    "Price List.xlsx",
    "Production Schedule.xlsx",
]


def strict(wanted: str, candidates: list[str] = TEMPLATES) -> str:
    return resolve_name(wanted, candidates, "template", strict=True, optional_words=("template",))


@pytest.mark.parametrize(
    ("wanted", "found"),
    [
        ("Invoice", "Invoice.xlsx"),
        ("invoice.xlsx", "Invoice.xlsx"),
        ("prce list", "Price List.xlsx"),  # a letter missing inside a word
        ("price lsit", "Price List.xlsx"),  # two letters swapped
        ("producton schedule", "Production Schedule.xlsx"),
        ("pricelist", "Price List.xlsx"),  # words run together
        ("Order Template", "Order Template.xlsx"),
        ("order", "Order Template.xlsx"),  # "the order template": the kind word was the cue
        ("Invoice Template", "Invoice.xlsx"),  # ... or said of a name without it
        ("order_tracker", "Order Tracker.xlsx"),
    ],
)
def test_strict_resolves_exact_names_and_misspellings_inside_words(wanted: str, found: str) -> None:
    assert strict(wanted) == found


@pytest.mark.parametrize(
    ("wanted", "candidates"),
    [
        # A word dropped from what was typed: never the shorter name.
        ("Purchase Order Template", ["Order Template.xlsx", "Order Tracker.xlsx"]),
        # A word of the real name missing from what was typed.
        ("Price", ["Price List.xlsx"]),
        ("Production", ["Production Schedule.xlsx"]),
        # A word replaced by another.
        (
            "Order Schedule",
            ["Order Template.xlsx", "Order Tracker.xlsx", "Production Schedule.xlsx"],
        ),
    ],
)
def test_strict_never_drops_or_replaces_a_word(wanted: str, candidates: list[str]) -> None:
    with pytest.raises(NameChoice) as raised:
        strict(wanted)
    assert sorted(raised.value.candidates) == sorted(candidates)
    assert raised.value.what == "template" and raised.value.wanted == wanted
    assert "did you mean" in raised.value.message


def test_a_different_number_is_a_different_word() -> None:
    sheets = ["Price List 2026.xlsx", "Price List 2027.xlsx"]
    with pytest.raises(NameChoice) as raised:
        strict("Price List 2028", sheets)
    assert sorted(raised.value.candidates) == sheets


def test_two_candidates_about_as_close_are_asked_about() -> None:
    with pytest.raises(NameChoice) as raised:
        strict("Prise", ["Price.xlsx", "Prize.xlsx"])
    assert raised.value.candidates == ["Price.xlsx", "Prize.xlsx"]
    assert "about equally well" in raised.value.message
    with pytest.raises(NameChoice):  # the same name twice, in two cases
        strict("invoice", ["Invoice.xlsx", "invoice.xlsx"])


def test_a_clearly_closer_candidate_wins() -> None:
    assert strict("Invoce", ["Invoice.xlsx", "Invoices.xlsx"]) == "Invoice.xlsx"


def test_nothing_near_is_not_found_and_names_what_exists() -> None:
    with pytest.raises(NotFound, match=r"no template matches 'spaceship'; known: Invoice\.xlsx"):
        strict("spaceship")
    with pytest.raises(NotFound) as raised:
        strict("spaceship")
    assert not isinstance(raised.value, NameChoice)


@pytest.mark.parametrize(
    ("wanted", "found"),
    [
        ("Price", "Price List.xlsx"),  # listings may match loosely ...
        ("price lsit", "Price List.xlsx"),
        ("Schedule", "Production Schedule.xlsx"),
        ("order", "Order Template.xlsx"),  # ... the kind word still counts as said
    ],
)
def test_loose_matching_for_listings(wanted: str, found: str) -> None:
    assert resolve_name(wanted, TEMPLATES, "template", optional_words=("template",)) == found


def test_a_misspelt_folder_resolves_strictly() -> None:
    folders = ["Pricing", "Reports", "Marketing"]
    assert resolve_name("pricng", folders, "folder", strict=True) == "Pricing"
