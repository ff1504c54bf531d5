"""Reviewing an import before writing it: columns, mapping tables, grouping, dry run, import."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics.import_review import (
    VALUE_COLUMNS,
    FileOptions,
    ImportGroup,
    ImportStopped,
    chosen_options,
    chosen_values,
    file_columns,
    file_mapping,
    import_groups,
    mapping_table,
    replaced_frame,
    review,
    run_import,
)
from analytics.status import TABLES

DEALS = (
    "Deal ID,Deal Name,Stage,Amount,Rep,Salesperson,Created At\n"
    "X1,**bold**,Prospecting,100,Aiko,Ann,2025-01-02\n"
    "X2,<script>alert(1)</script>,Closing,250,Ben,Bob,2025-01-03\n"
)
BROKEN = (
    "Deal ID,Deal Name,Stage,Amount,Created At\n"
    "Y1,a,Prospecting,abc,2025-01-02\n"
    "Y2,b,Nope,5,2025-01-03\n"
)
ACTIVITIES = "Activity ID,Type,Owner,Deal ID,Due At\nA1,call,Aiko,X1,2025-01-05\n"


def write(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def counts(con) -> dict[str, int]:
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def test_file_columns_are_read_by_the_importer(con, tmp_path):
    columns = file_columns(con, write(tmp_path, "deals.csv", DEALS))

    assert columns.file == "deals.csv"
    assert columns.columns == (
        "Deal ID", "Deal Name", "Stage", "Amount", "Rep", "Salesperson", "Created At",
    )  # fmt: skip
    assert columns.rows == 2
    assert columns.encoding == "utf-8"
    assert columns.problems == ()
    # The temporary table of the read went with its cursor.
    assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary").fetchone() == (0,)


def test_mapping_table_lists_every_column_of_the_kind(con, tmp_path):
    mapping = file_mapping(
        file_columns(con, write(tmp_path, "d.csv", DEALS)).columns, FileOptions()
    )
    table = mapping_table(mapping)
    cells = table.astype(object).where(table.notna(), None)

    assert mapping.kind == "deals"
    assert list(table.columns) == ["Column", "Required", "From the file", "Fixed value"]
    assert cells.iloc[:8].values.tolist() == [
        ["deal_id", True, "Deal ID", None],
        ["name", False, "Deal Name", None],
        ["pipeline", False, None, None],
        ["stage", True, "Stage", None],
        ["status", False, None, None],
        ["amount", False, "Amount", None],
        ["currency", False, None, None],
        ["owner", False, "Rep", None],
    ]
    assert table.set_index("Column").at["created_at", "From the file"] == "Created At"


def test_chosen_options_keep_only_what_was_changed(con, tmp_path):
    columns = file_columns(con, write(tmp_path, "d.csv", DEALS)).columns
    detected = file_mapping(columns, FileOptions(kind="deals"))
    edited = mapping_table(detected)
    unchanged = chosen_options(detected, edited, "deals", "auto")
    edited.loc[edited["Column"] == "owner", "From the file"] = "Salesperson"
    edited.loc[edited["Column"] == "status", "Fixed value"] = " open "

    options = chosen_options(detected, edited, "deals", "generic")

    assert unchanged == FileOptions(kind="deals")
    assert options == FileOptions("deals", "generic", (("owner", "Salesperson"),),
                                  (("status", "open"),))  # fmt: skip
    final = file_mapping(columns, options)
    assert final.describe()["owner"] == "Salesperson"
    assert final.describe()["status"] == "= 'open'"
    assert "Rep" in final.unmapped


def test_chosen_values_keep_the_complete_rows():
    edited = pd.DataFrame(
        [
            ("status", " Webinar ", "working"),
            ("stage", "Demo Scheduled", "Demo"),
            ("expected_close_date", "n/a", None),  # no value
            ("owner", None, "Aiko"),  # the value in the file not typed yet
            (None, "x", "y"),  # the column not chosen yet
        ],
        columns=list(VALUE_COLUMNS),
    )
    options = FileOptions(values=chosen_values(edited))
    assert options.values == (
        ("status", "Webinar", "working"),
        ("stage", "Demo Scheduled", "Demo"),
        ("expected_close_date", "n/a", ""),
    )
    assert options.replaced() == {
        "status": {"Webinar": "working"},
        "stage": {"Demo Scheduled": "Demo"},
        "expected_close_date": {"n/a": ""},
    }


def test_the_review_counts_the_rows_of_each_replaced_value(con, tmp_path):
    path = tmp_path / "leads.csv"
    path.write_text(
        "lead_id,lead_status,created_at\nL1,Webinar,2025-01-02\nL2,webinar,2025-01-03\n"
        "L3,new,2025-01-04\n"
    )
    values = (("status", "Webinar", "working"), ("status", "Webnar", "working"))
    checked = review(con, [ImportGroup(FileOptions(values=values), (str(path),))])
    assert checked.accepted
    assert [tuple(r) for r in replaced_frame(checked).itertuples(index=False)] == [
        ("leads.csv", "status", "Webinar", "working", 2),
        # mistyped: found in no row
        ("leads.csv", "status", "Webnar", "working", 0),
    ]


def test_groups_follow_the_options_and_the_importers_kind_order():
    own = FileOptions(kind="activities")
    groups = import_groups(
        [
            ("a.csv", own, "activities"),
            ("d.csv", FileOptions(), "deals"),
            ("p.csv", FileOptions(), "pipelines"),
        ]
    )

    assert groups == (
        ImportGroup(FileOptions(), ("d.csv", "p.csv")),
        ImportGroup(own, ("a.csv",)),
    )


def test_review_lists_every_problem_and_writes_nothing(con, tmp_path):
    before = counts(con)
    groups = import_groups(
        [
            (write(tmp_path, "deals.csv", BROKEN), FileOptions(), "deals"),
            (write(tmp_path, "acts.csv", ACTIVITIES), FileOptions(kind="activities"), "activities"),
        ]
    )

    result = review(con, groups)

    assert not result.accepted
    rows = result.problems.astype(object).where(result.problems.notna(), None)
    assert rows[["File", "Row", "Column", "Value"]].values.tolist() == [
        ["deals.csv", 2, "Amount", "abc"],
        ["deals.csv", 3, "Stage", "Nope"],
    ]
    assert result.problems["Problem"].iloc[0].startswith("not an amount")
    assert result.problems["Problem"].iloc[1].startswith('"Nope" is not a stage of pipeline')
    # The activities, a group of their own, pass: their deal is a note, not a problem.
    assert result.notes[["File", "Column", "Rows"]].values.tolist() == [["acts.csv", "Deal ID", 1]]
    assert result.reports["acts.csv"].kind == "activities"
    assert counts(con) == before


def test_run_import_writes_each_group_and_reports_progress(con, tmp_path):
    deals = write(tmp_path, "deals.csv", DEALS)
    acts = write(tmp_path, "acts.csv", ACTIVITIES)
    groups = import_groups(
        [(acts, FileOptions(kind="activities"), "activities"), (deals, FileOptions(), "deals")]
    )
    assert review(con, groups).accepted
    shares: list[float] = []

    changes = run_import(con, groups, progress=lambda phase, share: shares.append(share))

    assert counts(con)["deals"] == 2
    assert counts(con)["activities"] == 1
    assert con.execute("SELECT name FROM deals ORDER BY deal_id").fetchall() == [
        ("**bold**",), ("<script>alert(1)</script>",),
    ]  # fmt: skip
    assert changes["activities_inserted"] == 1
    assert shares == sorted(shares)
    assert shares[-1] == 1.0
    # Checked again, the same files are already imported and skipped.
    assert all(r.skipped for r in review(con, groups).reports.values())


def test_a_refused_group_stops_the_import_and_names_what_was_written(con, tmp_path):
    deals = write(tmp_path, "deals.csv", DEALS)
    broken = write(tmp_path, "broken.csv", BROKEN)
    groups = (
        ImportGroup(FileOptions(), (deals,)),
        ImportGroup(FileOptions(kind="deals"), (broken,)),
    )

    with pytest.raises(ImportStopped) as stopped:
        run_import(con, groups)

    assert stopped.value.imported == ["deals.csv"]
    assert [(p.file, p.row) for p in stopped.value.problems] == [
        ("broken.csv", 2), ("broken.csv", 3),
    ]  # fmt: skip
    assert counts(con)["deals"] == 2


def test_one_problem_is_counted_in_the_singular(con, tmp_path):
    deals = write(tmp_path, "deals.csv", DEALS)
    one_bad_row = "Deal ID,Deal Name,Stage,Amount,Created At\nY1,a,Prospecting,abc,2025-01-02\n"
    broken = write(tmp_path, "broken.csv", one_bad_row)
    groups = (
        ImportGroup(FileOptions(), (deals,)),
        ImportGroup(FileOptions(kind="deals"), (broken,)),
    )

    with pytest.raises(ImportStopped) as stopped:
        run_import(con, groups)

    assert str(stopped.value) == "1 problem found; files imported before the refusal: deals.csv"


def test_a_mapping_naming_no_column_is_a_problem_of_its_files(con, tmp_path):
    path = write(tmp_path, "deals.csv", DEALS)
    groups = (ImportGroup(FileOptions(kind="deals", constants=(("colour", "red"),)), (path,)),)

    problems = review(con, groups).problems

    assert problems["File"].tolist() == ["deals.csv"]
    assert problems["Problem"].iloc[0].startswith("'colour' is not a column of deals")
    assert pd.isna(problems["Row"].iloc[0])
