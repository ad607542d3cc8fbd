"""The text types every schema uses, and the validation answers that never quote input."""

from __future__ import annotations

import json

import pytest
from pydantic import BaseModel, ValidationError

from server.errors import printable, public_errors
from tools.safe_text import SafeLine, SafeText


class Form(BaseModel):
    line: SafeLine | None = None
    prose: SafeText | None = None


REFUSED_EVERYWHERE = {
    "NUL": "\x00",
    "escape": "\x1b",
    "DEL": "\x7f",
    "C1 control": "\x85",
    "unpaired surrogate": "\ud800",
    "lone carriage return": "\r",
}


@pytest.mark.parametrize("char", REFUSED_EVERYWHERE.values(), ids=REFUSED_EVERYWHERE.keys())
def test_nul_surrogates_and_control_characters_are_refused(char: str) -> None:
    for field in ("line", "prose"):
        with pytest.raises(ValidationError, match=r"must not contain U\+[0-9A-F]{4}"):
            Form.model_validate({field: f"a{char}b"})


def test_prose_keeps_tabs_and_line_breaks_and_a_line_does_not() -> None:
    text = "Make the fox orange,\r\nthe moon\tlarger."
    assert Form(prose=text).prose == "Make the fox orange,\nthe moon\tlarger."
    for char in "\t\n":
        with pytest.raises(ValidationError, match="control character"):
            Form(line=f"a{char}b")


def test_every_other_character_is_text() -> None:
    text = "Zoë’s café — 東京 🦊 \u200d ﬁ"
    assert Form(line=text, prose=text).line == text


def test_validation_answers_name_the_character_without_quoting_the_value() -> None:
    with pytest.raises(ValidationError) as caught:
        Form.model_validate_json('{"line": "jane@example.com\\u0000", "prose": 1e400}')
    errors = public_errors(caught.value.errors())
    assert [e["loc"] for e in errors] == [["line"], ["prose"]]
    assert all(set(e) == {"type", "loc", "msg"} for e in errors)
    assert "U+0000 (NUL)" in errors[0]["msg"]
    assert "jane" not in json.dumps(errors)


def test_locations_and_messages_from_the_request_are_made_printable_and_short() -> None:
    hostile_key = "\ud800" + "k" * 1000
    errors = public_errors([{"type": "x", "loc": ("body", "options", hostile_key), "msg": "bad"}])
    shown = errors[0]["loc"][2]
    assert shown.startswith("\\ud800") and len(shown) == 200
    json.dumps(errors).encode("utf-8")  # encodable: no surrogate left
    assert printable("plain café") == "plain café"
