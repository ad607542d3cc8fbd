"""Drive v3's search language (the ``q`` of ``files.list``), as Google's "Search for files and
folders" guide documents it, for the fake Drive server: parsed into a predicate over a file's
metadata.

Grammar: ``expr := term (('and' | 'or') term)*`` with ``and`` binding tighter than ``or``;
``term := 'not' term | '(' expr ')' | comparison``; comparisons are
``name = | != | contains 'text'``, ``mimeType = | != | contains '…'``, ``'ID' in parents``,
``trashed = | != true|false``, ``modifiedTime`` / ``createdTime`` against an RFC 3339 string
with ``< <= = != > >=``, ``appProperties has { key='k' and value='v' }``. Strings are in single
quotes with ``\\'`` and ``\\\\`` escapes. Anything else is a syntax error (Drive answers 400).
``name contains`` matches the start of a word: 'HelloWorld' matches 'Hello', not 'World'.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

Predicate = Callable[[dict[str, Any]], bool]

_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^'\\]|\\.)*')|(?P<op><=|>=|!=|=|<|>)"
    r"|(?P<punct>[(){}])|(?P<word>[A-Za-z_][A-Za-z0-9_]*))"
)


class QueryError(ValueError):
    """The query is not valid Drive search syntax."""


def _tokens(query: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    position = 0
    while position < len(query):
        if query[position:].strip() == "":
            break
        match = _TOKEN.match(query, position)
        if match is None or match.end() == position:
            raise QueryError(f"Invalid Value at {position}: {query[position : position + 20]!r}")
        kind = match.lastgroup
        assert kind is not None
        value = match.group(kind)
        if kind == "string":
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        found.append((kind, value))
        position = match.end()
    return found


def _word_prefix(needle: str, name: str) -> bool:
    """Drive's ``name contains``: the needle, in any case, starts where a word of the name
    starts (after the start or a character that is not a letter or digit)."""
    return re.search(r"(?<![^\W_])" + re.escape(needle.lower()), name.lower()) is not None


def _timestamp(text: str) -> datetime:
    """An RFC 3339 time; without an offset it is UTC, as Drive reads it."""
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise QueryError(f"Invalid time value: {text!r}") from exc
    return when if when.tzinfo else when.replace(tzinfo=UTC)


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


class _Parser:
    def __init__(self, query: str) -> None:
        self.tokens = _tokens(query)
        self.at = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, kind: str | None = None, value: str | None = None) -> str:
        token = self.peek()
        if token is None or (kind and token[0] != kind) or (value and token[1] != value):
            raise QueryError(f"Invalid Value: expected {value or kind}, got {token}")
        self.at += 1
        return token[1]

    def keyword(self, word: str) -> bool:
        token = self.peek()
        if token is not None and token[0] == "word" and token[1] == word:
            self.at += 1
            return True
        return False

    def parse(self) -> Predicate:
        predicate = self.expression()
        if self.peek() is not None:
            raise QueryError(f"Invalid Value: unexpected {self.peek()}")
        return predicate

    def expression(self) -> Predicate:
        alternatives = [self.conjunction()]
        while self.keyword("or"):
            alternatives.append(self.conjunction())
        if len(alternatives) == 1:
            return alternatives[0]
        return lambda f: any(p(f) for p in alternatives)

    def conjunction(self) -> Predicate:
        parts = [self.term()]
        while self.keyword("and"):
            parts.append(self.term())
        if len(parts) == 1:
            return parts[0]
        return lambda f: all(p(f) for p in parts)

    def term(self) -> Predicate:
        if self.keyword("not"):
            inner = self.term()
            return lambda f: not inner(f)
        token = self.peek()
        if token == ("punct", "("):
            self.take()
            inner = self.expression()
            self.take("punct", ")")
            return inner
        if token is not None and token[0] == "string":
            value = self.take()
            self.take("word", "in")
            self.take("word", "parents")
            return lambda f: value in f.get("parents", [])
        return self.comparison()

    def comparison(self) -> Predicate:
        field = self.take("word")
        if field == "appProperties":
            return self.has_property()
        if self.keyword("contains"):
            if field not in ("name", "mimeType", "fullText"):
                raise QueryError(f"Invalid Value: {field} does not support contains")
            needle = self.take("string")
            if field == "mimeType":
                return lambda f: needle in f.get("mimeType", "")
            return lambda f: _word_prefix(needle, f.get("name", ""))
        op = self.take("op")
        if field == "trashed":
            word = self.take("word")
            if word not in ("true", "false") or op not in ("=", "!="):
                raise QueryError("Invalid Value: trashed takes = or != true or false")
            return lambda f: _COMPARE[op](bool(f.get("trashed")), word == "true")
        value = self.take("string")
        if field in ("name", "mimeType"):
            if op not in ("=", "!="):
                raise QueryError(f"Invalid Value: {field} takes = or !=")
            return lambda f: _COMPARE[op](f.get(field, ""), value)
        if field in ("modifiedTime", "createdTime"):
            when = _timestamp(value)
            return lambda f: _COMPARE[op](_timestamp(f[field]), when)
        raise QueryError(f"Invalid Value: unknown field {field}")

    def has_property(self) -> Predicate:
        self.take("word", "has")
        self.take("punct", "{")
        self.take("word", "key")
        self.take("op", "=")
        key = self.take("string")
        self.take("word", "and")
        self.take("word", "value")
        self.take("op", "=")
        value = self.take("string")
        self.take("punct", "}")
        return lambda f: f.get("appProperties", {}).get(key) == value


def parse_query(query: str) -> Predicate:
    """A predicate over file metadata for ``query``; QueryError when it is not valid."""
    if not query.strip():
        return lambda f: True
    return _Parser(query).parse()
