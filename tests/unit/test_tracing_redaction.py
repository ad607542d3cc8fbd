"""The redactor that runs on every traced payload before it leaves the process."""

from __future__ import annotations

import json

from tools.tracing import REDACTED, Redactor


def test_values_under_personal_keys_are_replaced_at_any_depth() -> None:
    redact = Redactor()
    payload = {
        "order": {"id": "4f1c", "customer": {"name": "Jane Doe", "email": "jane@example.com"}},
        "rows": [{"customer_phone": "+1 555 0100", "quantity": 3}],
        "recipient": "ops@shop.test",
    }
    assert redact(payload) == {
        "order": {"id": "4f1c", "customer": REDACTED},
        "rows": [{"customer_phone": REDACTED, "quantity": 3}],
        "recipient": REDACTED,
    }


def test_email_addresses_are_removed_from_free_text() -> None:
    assert Redactor()({"command": "orders from jane.doe+shop@example.co.uk please"}) == {
        "command": f"orders from {REDACTED} please"
    }


def test_values_seen_once_are_removed_from_later_text() -> None:
    redact = Redactor()
    redact({"customer_name": "Jane Doe"})
    assert redact({"reply": "Order 4f1c for jane doe is ready"}) == {
        "reply": f"Order 4f1c for {REDACTED} is ready"
    }


def test_protected_values_win_longest_first() -> None:
    redact = Redactor()
    redact.protect("Jane", "Jane Doe-Smith", None, "  ")
    assert redact(["Jane Doe-Smith and Jane"]) == [f"{REDACTED} and {REDACTED}"]


def test_json_inside_a_string_is_parsed_and_redacted() -> None:
    """A tool message's content is the tool's JSON result as text."""
    content = json.dumps({"id": "4f1c", "customer": {"name": "Ann Lee", "phone": "0170 1234"}})
    redacted = Redactor()({"messages": [{"content": content}]})
    assert json.loads(redacted["messages"][0]["content"]) == {"id": "4f1c", "customer": REDACTED}
    assert "Ann Lee" not in json.dumps(redacted)


def test_ordinary_data_passes_unchanged() -> None:
    payload = {"order_id": "4f1c", "role": "customer", "count": 2, "ok": True, "x": None}
    redact = Redactor()
    redact.protect("Jane Doe")
    assert redact(payload) is payload  # the quick check let it through without a copy


def test_known_values_are_found_however_json_escapes_them() -> None:
    """The quick check reads a payload as JSON text, where a quote, a newline or a non-ASCII
    letter inside a nested JSON string is spelled differently; none of them slips through."""
    redact = Redactor()
    redact.protect('Ann "Bee" Lee', "Tom\tKay", "José Ruiz")
    for payload in (
        {"note": 'from Ann "Bee" Lee'},
        {"note": "from Tom\tKay"},
        {"content": json.dumps({"note": "for José Ruiz"})},  # ensure_ascii: Jos\u00e9
    ):
        text = json.dumps(redact(payload), ensure_ascii=False)
        assert "Bee" not in text and "Kay" not in text and "Ruiz" not in text, payload


def test_personal_keys_are_found_in_any_case() -> None:
    assert Redactor()({"Customer_Email": "x1", "PHONE": "0170"}) == {
        "Customer_Email": REDACTED,
        "PHONE": REDACTED,
    }


def test_a_personal_key_inside_a_json_string_is_learned() -> None:
    redact = Redactor()
    redact({"content": json.dumps({"customer_name": "Zoë Quist"})})
    assert redact({"reply": "Zoë Quist's mug is ready"}) == {"reply": f"{REDACTED}'s mug is ready"}


def test_short_values_are_not_remembered() -> None:
    """Blanking two-letter names would blank ordinary words everywhere."""
    redact = Redactor()
    redact({"customer_name": "Al"})
    assert redact({"text": "All tables"}) == {"text": "All tables"}


def test_memory_is_bounded() -> None:
    redact = Redactor(remember=2)
    redact.protect("first value", "second value", "third value")
    assert redact("first value, third value") == f"first value, {REDACTED}"
