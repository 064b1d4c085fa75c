# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""CSV text with a header row as a list of dicts and back: shared by the from_csv and to_csv filters and the modules'
file inputs."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import csv
import io

from collections.abc import Mapping

# A spreadsheet evaluates a cell starting with these (OWASP "CSV injection"); a leading single quote makes it text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A cell already starting with a single quote is prefixed too, so that taking one quote off reverses every cell.
NEUTRALIZED_STARTS = FORMULA_STARTS + ("'",)


class CsvError(ValueError):
    """Malformed CSV or rows; the message names the line or the row, never a cell's value."""


def neutralize_cell(cell):
    """The cell with a leading single quote when a spreadsheet would evaluate it (or it starts with one)."""
    return "'" + cell if cell[:1] in NEUTRALIZED_STARTS else cell


def restore_cell(cell):
    """neutralize_cell undone: one leading single quote off when the next character is one it prefixes."""
    return cell[1:] if cell[:1] == "'" and cell[1:2] in NEUTRALIZED_STARTS else cell


def rows_from_csv(text, keep=None, rest_into=None, required=(), neutralized=False):
    """One dict per data row keyed by the (stripped) header names; empty cells are empty strings.

    With rest_into, the columns not in keep go into a dict under that key, empty cells left out.
    Columns named in required must be in the header. Blank lines are skipped.
    With neutralized, every cell (the header's too) is passed through restore_cell: the text csv_from_rows wrote.
    """
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    if neutralized:
        reader = _Restoring(reader)
    try:
        header = [name.strip() for name in next(reader, None) or ()]
        missing = [name for name in required if name not in header]
        if missing:
            # The first line is not quoted: without a header it would be a data row, secrets and all.
            raise CsvError("the first line must be a header row naming the columns %s (it has %d cell(s))" % (
                ", ".join(required), len(header)))
        kept = set(keep or ())
        rows = []
        ended = reader.line_num  # a quoted cell may span lines: a row starts after the previous one ends
        for cells in reader:
            started, ended = ended + 1, reader.line_num
            if not cells:
                continue
            if len(cells) > len(header):
                raise CsvError("line %d has more cells than the header" % started)
            row = dict(zip(header, cells + [""] * (len(header) - len(cells))))
            if rest_into:
                rest = dict((key, value) for key, value in row.items() if key not in kept and value != "")
                row = dict((key, value) for key, value in row.items() if key in kept)
                row[rest_into] = rest
            rows.append(row)
        return rows
    except csv.Error as exc:
        # csv's messages describe the syntax ("unexpected end of data"), not the cell.
        raise CsvError("line %d: %s" % (reader.line_num, exc))


class _Restoring(object):
    """A csv reader whose cells come back through restore_cell (line_num as the reader counts it)."""

    def __init__(self, reader):
        self._reader = reader

    def __iter__(self):
        return self

    def __next__(self):
        return [restore_cell(cell) for cell in next(self._reader)]

    @property
    def line_num(self):
        return self._reader.line_num


class _Lines(object):
    """Collects the csv writer's rows with LF line ends.

    The writer quotes a cell that holds a character of its line terminator: with LF alone, a cell holding a bare CR
    would go out unquoted and split its row when read back. So the rows are written with CRLF (one write() call
    each, as csv.writer documents) and their CRLF is made LF here.
    """

    def __init__(self):
        self.lines = []

    def write(self, line):
        self.lines.append(line[:-2] + "\n")
        return len(line)


def _cell_text(cell, row_number, column):
    """The text of a cell: None is empty, a number (or boolean) its text; anything else is refused."""
    if cell is None:
        return ""
    if isinstance(cell, (str, int, float)):
        return str(cell)
    where = "row %d, column %s" % (row_number, column) if row_number else "item %s of columns" % column
    raise CsvError("%s is a %s, not text or a number" % (where, type(cell).__name__))


def csv_from_rows(rows, columns=None, neutralize=True):
    """CSV text (RFC 4180 quoting, LF line ends) of rows: lists of cells, or dicts read in the order of columns.

    columns is the header row, written first; rows that are dicts need it (their other keys are left out). A row
    that is a list may be shorter than columns (padded with empty cells), never longer. None is an empty cell,
    numbers and booleans their text. With neutralize, each cell (the header's too) goes through neutralize_cell.
    """
    if columns is not None:
        columns = [_cell_text(name, 0, number) for number, name in enumerate(columns, 1)]
    lines = _Lines()
    writer = csv.writer(lines, lineterminator="\r\n")
    prepare = neutralize_cell if neutralize else (lambda cell: cell)
    if columns is not None:
        writer.writerow([prepare(name) for name in columns])
    for row_number, row in enumerate(rows, 1):
        if isinstance(row, Mapping):
            if columns is None:
                raise CsvError("row %d is a dict: give columns, the header in the order of the cells" % row_number)
            cells = [row.get(name) for name in columns]
            names = columns
        elif isinstance(row, (list, tuple)):
            if columns is not None and len(row) > len(columns):
                raise CsvError("row %d has %d cells, more than the %d columns" % (row_number, len(row), len(columns)))
            cells = list(row) + [None] * (len(columns or ()) - len(row))
            names = range(1, len(cells) + 1)
        else:
            raise CsvError("row %d is a %s, not a list or a dict" % (row_number, type(row).__name__))
        writer.writerow([prepare(_cell_text(cell, row_number, name)) for cell, name in zip(cells, names)])
    return "".join(lines.lines)
