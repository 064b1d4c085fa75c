# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import csv
import io

import pytest

from ansible_collections.oneshot.secrets.plugins.module_utils.csv_rows import (
    FORMULA_STARTS, CsvError, csv_from_rows, neutralize_cell, restore_cell, rows_from_csv)


def test_rows_keyed_by_the_stripped_header_with_quoting_and_a_bom():
    text = '\ufeffname , email\n"Doe, Jane",jane@example.com\n"Say ""hi""",\n'
    assert rows_from_csv(text) == [{"name": "Doe, Jane", "email": "jane@example.com"},
                                   {"name": 'Say "hi"', "email": ""}]


def test_rest_into_collects_the_other_non_empty_columns():
    text = "email,password,breach,seen\na@example.com,pw,combo,\n"
    assert rows_from_csv(text, keep=["email", "password"], rest_into="metadata") == [
        {"email": "a@example.com", "password": "pw", "metadata": {"breach": "combo"}}]


def test_empty_text_is_no_rows_unless_columns_are_required():
    assert rows_from_csv("") == []
    with pytest.raises(CsvError, match="header row naming the columns email"):
        rows_from_csv("", required=("email",))


def test_a_missing_required_column_is_refused_without_quoting_the_first_line():
    with pytest.raises(CsvError) as info:
        rows_from_csv("a@example.com,hunter2\n", required=("email", "password"))
    assert "hunter2" not in str(info.value) and "it has 2 cell(s)" in str(info.value)


def test_extra_cells_name_the_line_the_row_starts_on_not_the_cell():
    with pytest.raises(CsvError, match="line 3 has more cells than the header") as info:
        rows_from_csv('email,password\na@example.com,x\nb@example.com,"multi\nline",hunter2\n')
    assert "hunter2" not in str(info.value)
    with pytest.raises(CsvError, match="line 5 has more cells than the header"):
        rows_from_csv('email,password\n\na@example.com,"two\nlines"\nb@example.com,x,hunter2\n')


def test_blank_lines_are_skipped_and_short_rows_padded():
    assert rows_from_csv("a,b\n\n1\n\n2,3\n") == [{"a": "1", "b": ""}, {"a": "2", "b": "3"}]


# Cells a mail-merge or a spreadsheet would misread if written raw (issue 26), and the ones that test the reversal.
HOSTILE_CELLS = [
    "mallory,ceo@example.com,https://evil.example/it-reset", '=HYPERLINK("http://x")', "+cmd|' /C calc'!A0",
    "@SUM(1+1)", "-1", "\tstarts with a tab", "\rstarts with a carriage return", 'say "hi"', "two\nlines",
    "cr\rinside", "crlf\r\ninside", "'", "''", "'quoted", "'=quoted formula", "' =space after", "", " lead space",
    "plain", "\ufeffbom first", "tail,",
]


def test_hostile_cells_round_trip_one_row_each_and_none_evaluated():
    text = csv_from_rows([[cell, "e", cell] for cell in HOSTILE_CELLS], columns=["user", "email", "link"])
    table = list(csv.reader(io.StringIO(text)))
    assert len(table) == len(HOSTILE_CELLS) + 1 and all(len(row) == 3 for row in table)
    assert not [cell for row in table for cell in row if cell.startswith(FORMULA_STARTS)]
    rows = rows_from_csv(text, neutralized=True, required=("user", "email", "link"))
    assert [row["user"] for row in rows] == HOSTILE_CELLS
    assert [row["link"] for row in rows] == HOSTILE_CELLS


def test_neutralize_prefixes_formula_starts_and_a_leading_quote_and_restore_undoes_it():
    assert neutralize_cell("=1+1") == "'=1+1"
    assert neutralize_cell("'x") == "''x"
    assert neutralize_cell("a=1") == "a=1" and neutralize_cell("") == ""
    assert restore_cell("''x") == "'x" and restore_cell("'x") == "'x" and restore_cell("'") == "'"
    for cell in HOSTILE_CELLS + ["-", "@", "\t", "\r", "=", "+"]:
        assert restore_cell(neutralize_cell(cell)) == cell
        assert not neutralize_cell(cell).startswith(FORMULA_STARTS)


def test_written_text_quotes_as_rfc_4180_with_lf_line_ends():
    text = csv_from_rows([["a,b", 'say "hi"', "x\ny", "cr\rz", "-1"]])
    assert text == '"a,b","say ""hi""","x\ny","cr\rz",\'-1\n'


def test_without_neutralize_cells_are_written_as_they_are():
    assert csv_from_rows([["=1", "'x"]], columns=["=h", "b"], neutralize=False) == "=h,b\n=1,'x\n"


def test_dict_rows_follow_columns_missing_keys_empty_other_keys_left_out():
    rows = [{"link": "l1", "user": "u1", "extra": "dropped"}, {"user": "u2", "email": None}]
    assert csv_from_rows(rows, columns=["user", "email", "link"]) == "user,email,link\nu1,,l1\nu2,,\n"


def test_list_rows_are_padded_to_the_columns_numbers_written_as_text():
    assert csv_from_rows([["a"], ("b", 2, 1.5, True)], columns=["w", "x", "y", "z"]) == "w,x,y,z\na,,,\nb,2,1.5,True\n"
    assert csv_from_rows([[-1]]) == "'-1\n"


def test_a_row_with_one_empty_cell_is_not_a_blank_line():
    text = csv_from_rows([[""], ["x"]], columns=["user"])
    assert rows_from_csv(text) == [{"user": ""}, {"user": "x"}]


def test_no_rows_is_the_header_alone_or_nothing():
    assert csv_from_rows([], columns=["user", "link"]) == "user,link\n"
    assert csv_from_rows([]) == ""


def test_bad_rows_are_refused_naming_the_row_never_a_cell():
    with pytest.raises(CsvError, match="row 1 is a dict: give columns"):
        csv_from_rows([{"user": "secret-name"}])
    with pytest.raises(CsvError, match="row 2 has 3 cells, more than the 2 columns") as info:
        csv_from_rows([["a", "b"], ["c", "d", "secret-cell"]], columns=["x", "y"])
    assert "secret" not in str(info.value)
    with pytest.raises(CsvError, match="row 1 is a str, not a list or a dict"):
        csv_from_rows(["secret-row"])
    with pytest.raises(CsvError, match="row 1, column y is a dict, not text or a number") as info:
        csv_from_rows([{"x": "a", "y": {"secret": "value"}}], columns=["x", "y"])
    assert "value" not in str(info.value)
    with pytest.raises(CsvError, match="item 2 of columns is a list"):
        csv_from_rows([], columns=["x", ["y"]])


def test_neutralized_reading_restores_the_header_too_and_is_off_by_default():
    text = csv_from_rows([["'=x"]], columns=["=col"])
    assert rows_from_csv(text, neutralized=True) == [{"=col": "'=x"}]
    assert rows_from_csv(text) == [{"'=col": "''=x"}]
