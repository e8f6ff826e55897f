"""Whole-column reading and text operations give exactly what the line-by-line reader and str methods give."""

from __future__ import annotations

import random
import sys

import pyarrow as pa

from checks import columns, reading


def test_strip_is_str_strip() -> None:
    """Every whitespace str.strip() removes (ASCII, NEL, no-break, ideographic space …) is removed, nothing else."""
    rng = random.Random(2)
    alphabet = [" ", "\u3000", "\t", "\x85", "\xa0", "\u1680", "\u2009", "\u2028", "\u205f", "\n", "\x1c"]
    alphabet += ["a", "张", "号", "𠀀", "\u200b", "\u3001", "\u2030", "\xa9"]  # look alike in UTF-8, not spaces
    values = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 4))) for _ in range(20_000)]
    column = pa.array(values, type=pa.string())
    assert columns.strip(column).to_pylist() == [v.strip() for v in values]
    for start in (1, 7, 19_990):  # slices keep their offset into the buffers
        assert columns.strip(column.slice(start, 9)).to_pylist() == [v.strip() for v in values[start : start + 9]]


def test_edge_space_characters() -> None:
    """Each code point of the planes where spaces live (and a sample of the rest), alone, leading or
    trailing, counts as space exactly when str.isspace() says so."""
    sample = random.Random(1).sample(range(0x10000, sys.maxunicode + 1), 2000)
    chars = [chr(c) for c in [*range(0x3100), *range(0xE000, 0x10000), *sample]]
    for form in ("{}", "{}a", "a{}", "ab{}"):
        values = [form.format(c) for c in chars]
        assert list(columns.edge_space(pa.array(values))) == [v != v.strip() for v in values]


def test_lower_in_totals() -> None:
    words = ("合计", "总计", "小计", "共计", "total")
    values = ["TOTAL", "Total", "total ", "合计", "tOtAl", "合 计", "x", ""]
    assert list(columns.lower_in(pa.array(values), words)) == [v.lower() in words for v in values]


def test_plain_block_equals_line_reader() -> None:
    """Where the pyarrow fast path takes a text, its records equal the csv module's, line for line."""
    rng = random.Random(3)
    alphabet = ["a", "张", " ", "\u3000", "1", "\x85", "\u2028", "", "\\", "'", "#", "\t", ","]
    taken = 0
    for _ in range(3000):
        delimiter = rng.choice([",", "\t"])
        width = rng.randint(1, 5)
        lines = []
        for _ in range(rng.randint(0, 8)):
            fields = width if rng.random() < 0.9 else rng.randint(0, 6)
            cells = ("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 3))) for _ in range(fields))
            lines.append(delimiter.join(c.replace(delimiter, "") for c in cells))
        end = rng.choice(["\n", "\r\n", "\r"])
        text = end.join(lines) + (end if rng.random() < 0.5 else "") + (end if rng.random() < 0.1 else "")
        block = reading.plain_block(text, delimiter)
        if block is None:
            continue
        taken += 1
        split = reading._LINES.split(text)
        if split and split[-1] == "":
            split.pop()
        records, flags, joined = reading._parse_lines(split, delimiter)
        assert (block.records(), flags, joined) == (records, [], 0), repr(text)
    assert taken > 1000  # the fast path is really exercised


def test_plain_block_refuses_what_needs_mending() -> None:
    """Quotes, control characters, empty lines and uneven lines go to the careful reader."""
    for text in ('a,b\n"c",d\n', "a,b\nc\x00,d\n", "a,b\n\nc,d\n", "a,b\nc,d,e\n", "title\na,b\n", "a,b\u200b\n"):
        assert reading.plain_block(text, ",") is None, repr(text)
    assert reading.plain_block("a,b\r\nc,d\r\n", ",") is not None
