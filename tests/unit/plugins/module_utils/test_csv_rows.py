# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.oneshot.secrets.plugins.module_utils.csv_rows import CsvError, rows_from_csv


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
