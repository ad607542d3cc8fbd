"""Log lines without personal data: masked addresses, exceptions without their messages."""

from __future__ import annotations

import pytest

from tools.log_privacy import exception_name, mask_email, traceback_without_messages


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("jane.doe@example.com", "j***@example.com"),
        ("a@b.co", "a***@b.co"),
        ('"odd@local"@example.org', '"***@example.org'),
        ("x@evil\nexample.com", "x***@evil?example.com"),  # no line breaks into the log
        ("not an address", "***"),
        ("@example.com", "***"),
        ("", "no address"),
        (None, "no address"),
    ],
)
def test_mask_email(address: str | None, masked: str) -> None:
    assert mask_email(address) == masked


NAME, EMAIL = "Jane Doe\x00", "jane@example.com"


def _fail_with(name: str, email: str) -> None:
    """Fail as a library does, quoting the data in its messages (the source lines shown in a
    traceback are code: they name variables, not the values)."""
    try:
        raise KeyError(f"{name} <{email}>")
    except KeyError as exc:
        raise ValueError(f"{name} cannot be used in worksheets.") from exc


def test_traceback_without_messages_keeps_frames_and_classes_only() -> None:
    with pytest.raises(ValueError) as caught:
        _fail_with(NAME, EMAIL)
    text = traceback_without_messages(caught.value)
    assert "Jane" not in text and "jane@" not in text and "\x00" not in text
    assert text.index("KeyError (message withheld)") < text.index("ValueError (message withheld)")
    assert "_fail_with" in text and "test_log_privacy.py" in text
    assert exception_name(caught.value) == "ValueError"
