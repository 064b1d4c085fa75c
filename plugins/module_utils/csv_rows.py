# -*- coding: utf-8 -*-
# Copyright (c) oneshot.secrets contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""CSV text with a header row as a list of dicts: shared by the from_csv filter and the modules' file inputs."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import csv
import io


class CsvError(ValueError):
    """Malformed CSV; the message names the line, never a cell's value."""


def rows_from_csv(text, keep=None, rest_into=None, required=()):
    """One dict per data row keyed by the (stripped) header names; empty cells are empty strings.

    With rest_into, the columns not in keep go into a dict under that key, empty cells left out.
    Columns named in required must be in the header. Blank lines are skipped.
    """
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
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
