"""The CSV reader's fast path: clean ISO dates and plain numbers read typed, anything else as text."""

import duckdb
import pytest

from analytics import store
from analytics.importer import import_files
from analytics.readers import _plain_stamps, read_csv

CLEAN = "Deal ID,Stage,Created At,Amount\nD1,Closing,2024-01-02 10:00:00,1200\nD2,Closing,2024-02-03,80.5\n"
# Same records; one date written day-first: DuckDB cannot cast it, so the file is read as text.
MESSY = "Deal ID,Stage,Created At,Amount\nD1,Closing,2024-01-02 10:00:00,1200\nD2,Closing,03/02/2024,80.5\n"


def choose_dates_and_numbers(names, sniffed):
    return {n: sniffed[n] for n in ("Created At", "Amount") if n in sniffed}


@pytest.fixture
def con():
    c = duckdb.connect()
    # As store.connect sets it: the fast path reads timestamps only in UTC.
    c.execute("SET TimeZone = 'UTC'")
    yield c
    c.close()


def test_clean_columns_are_read_typed(con, tmp_path):
    path = tmp_path / "clean.csv"
    path.write_text(CLEAN)
    raw = read_csv(con, path, "t", path.name, choose_dates_and_numbers)
    assert raw.typed == {"Created At": "TIMESTAMP", "Amount": "DOUBLE"}
    types = dict(con.execute("SELECT column_name, column_type FROM (DESCRIBE t)").fetchall())
    assert types == {
        "Deal ID": "VARCHAR",
        "Stage": "VARCHAR",
        "Created At": "TIMESTAMP",
        "Amount": "DOUBLE",
    }
    assert raw.problems == []


@pytest.mark.parametrize(
    ("close_dates", "typed"),
    [
        # DuckDB's sniffer names the format of ISO dates (%Y-%m-%d): they are read typed too,
        # and so are the file's timestamps.
        (("2024-03-31", "2024-04-30"),
         {"Created At": "TIMESTAMP", "Close Date": "DATE", "Amount": "DOUBLE"}),
        # Day-first dates need a format: that column stays text, the others are still typed.
        (("31/03/2024", "30/04/2024"), {"Created At": "TIMESTAMP", "Amount": "DOUBLE"}),
    ],
)  # fmt: skip
def test_iso_date_columns_are_read_typed_beside_timestamps(con, tmp_path, close_dates, typed):
    path = tmp_path / "dates.csv"
    path.write_text(
        "Deal ID,Created At,Close Date,Amount\n"
        f"D1,2024-01-02 10:00:00,{close_dates[0]},1200\n"
        f"D2,2024-02-03 11:30:00,{close_dates[1]},80.5\n"
    )
    raw = read_csv(
        con, path, "t", path.name, lambda names, sniffed: {n: sniffed[n] for n in sniffed}
    )
    assert raw.typed == typed
    assert raw.problems == []
    # Dates read typed are stored as timestamps, as the text path stores them.
    types = dict(con.execute("SELECT column_name, column_type FROM (DESCRIBE t)").fetchall())
    assert {n: types[n] for n in typed} == {
        n: "DOUBLE" if t == "DOUBLE" else "TIMESTAMP" for n, t in typed.items()
    }


def test_timestamps_with_offsets_are_read_typed_as_utc(con, tmp_path):
    # As Salesforce writes CreatedDate: the sniffer calls the column TIMESTAMP WITH TIME ZONE.
    path = tmp_path / "opportunities.csv"
    path.write_text(
        "Id,CreatedDate\n006A,2024-01-05T10:00:00.000Z\n006B,2024-01-06T09:30:00.000+09:00\n"
    )
    raw = read_csv(con, path, "t", path.name, lambda names, sniffed: dict(sniffed))
    assert raw.typed == {"CreatedDate": "TIMESTAMP"}
    assert [
        str(v) for (v,) in con.execute('SELECT "CreatedDate" FROM t ORDER BY rowid').fetchall()
    ] == [
        "2024-01-05 10:00:00",
        "2024-01-06 00:30:00",
    ]


def _import_with_a_late_row(tmp_path, name, header, row, last, query, **kwargs) -> list:
    """Import 30,000 copies of row (its {i} numbered), then last; return query's rows as text.

    The sniffer only samples the first rows: last is a cell it never sees.
    """
    rows = [row.format(i=i) for i in range(30_000)] + [last]
    path = tmp_path / name
    path.write_text(header + "\n" + "\n".join(rows) + "\n")
    con = store.connect(tmp_path / "a.duckdb")
    try:
        import_files(con, [path], **kwargs)
        return [tuple(str(v) for v in r) for r in con.execute(query).fetchall()]
    finally:
        con.close()


def test_a_time_of_day_past_the_sniffed_rows_of_a_date_column_is_kept(tmp_path):
    # The sniffer calls Close Date a DATE column; a plain DATE read would silently drop the time
    # of the last cell, which is when that won deal closed (it has no other close date).
    stored = _import_with_a_late_row(
        tmp_path, "deals.csv", "Deal ID,Stage,Status,Created At,Close Date",
        "D{i:05d},Prospecting,open,2024-01-02 09:00:00,2024-03-31",
        "LATE,Won,won,2024-01-02 09:00:00,2024-04-30 17:45:00",
        "SELECT deal_id, expected_close_date, closed_at FROM deals "
        "WHERE deal_id IN ('D00000', 'LATE') ORDER BY deal_id",
    )  # fmt: skip
    assert stored == [
        ("D00000", "2024-03-31", "None"),
        ("LATE", "2024-04-30", "2024-04-30 17:45:00"),
    ]


def test_a_cell_that_does_not_cast_sends_the_file_down_the_text_path(con, tmp_path):
    path = tmp_path / "messy.csv"
    path.write_text(MESSY.replace("80.5", '"80,5 €"'))
    raw = read_csv(con, path, "t", path.name, choose_dates_and_numbers)
    assert raw.typed == {}
    assert con.execute('SELECT "Created At", "Amount" FROM t ORDER BY rowid').fetchall() == [
        ("2024-01-02 10:00:00", "1200"),
        ("03/02/2024", "80,5 €"),
    ]
    assert raw.problems == []


def test_both_paths_store_the_same_deals(tmp_path):
    rows = {}
    for name, text in (("clean", CLEAN), ("messy", MESSY.replace("03/02/2024", "2024/02/03"))):
        path = tmp_path / f"{name}.csv"
        path.write_text(text)
        con = store.connect(tmp_path / f"{name}.duckdb")
        import_files(con, [path])
        rows[name] = con.execute(
            "SELECT deal_id, stage, created_at, amount FROM deals ORDER BY deal_id"
        ).fetchall()
        con.close()
    assert rows["clean"] == rows["messy"]
    assert rows["clean"][1][3] == 80.5


def test_problems_quote_cells_as_written_even_after_a_typed_read(tmp_path):
    path = tmp_path / "negative.csv"
    path.write_text(CLEAN.replace("1200", "-1200.0"))
    con = store.connect(tmp_path / "n.duckdb")
    with pytest.raises(Exception) as refused:
        import_files(con, [path])
    problems = refused.value.problems
    assert [(p.row, p.column, p.value) for p in problems] == [(2, "Amount", "-1200.0")]


def test_shift_jis_after_a_long_ascii_start_is_still_recognised(tmp_path):
    # The quick encoding check samples the first megabyte; the Japanese rows come after it.
    rows = [f"D{i:06d},Prospecting,2024-01-02,100" for i in range(40_000)]
    text = "Deal ID,Stage,Created At,Amount\n" + "\n".join(rows) + "\nJ1,商談開始,2024-01-03,5\n"
    path = tmp_path / "late_sjis.csv"
    path.write_bytes(text.encode("cp932"))
    assert path.stat().st_size > 1 << 20
    con = store.connect(tmp_path / "j.duckdb")
    import_files(con, [path], pipeline="日本", stages=["Prospecting", "商談開始"])
    assert con.execute("SELECT stage FROM deals WHERE deal_id = 'J1'").fetchone() == ("商談開始",)
    assert con.execute("SELECT count(*) FROM deals").fetchone() == (40_001,)


def test_invalid_bytes_late_in_a_utf8_file_are_refused_with_their_row(tmp_path):
    rows = [f"D{i:06d},Prospecting,2024-01-02,100" for i in range(40_000)]
    data = ("Deal ID,Stage,Created At,Amount\n" + "\n".join(rows) + "\n").encode()
    path = tmp_path / "late_garbage.csv"
    path.write_bytes(data + b"X1,Prospecting,2024-01-03,\xff\xfe\n")
    con = store.connect(tmp_path / "g.duckdb")
    with pytest.raises(Exception) as refused:
        import_files(con, [path])
    # Those two bytes happen to be valid Shift_JIS: the file is read so, and the cell that
    # makes no sense is refused with its row and column.
    problem = refused.value.problems[0]
    assert (problem.row, problem.column) == (40_002, "Amount")
    assert con.execute("SELECT count(*) FROM deals").fetchone() == (0,)


def test_the_timestamp_sample_survives_bytes_that_are_not_utf8(tmp_path):
    # The first rows are sampled before DuckDB has said whether the file is valid UTF-8: a bad
    # byte there makes the sample inconclusive (the slower, offset-aware read), never an error.
    rows = [f"D{i:03d},2024-01-02 10:00:00" for i in range(5)]
    path = tmp_path / "bad_bytes.csv"
    path.write_bytes(("Deal ID,Created At\n" + "\n".join(rows) + "\n").encode()
                     + b"X1,2024-01-03 10:00:\xff0\n")  # fmt: skip
    names, typed = ["Deal ID", "Created At"], {"Created At": "TIMESTAMP"}
    assert _plain_stamps(path, ",", names, typed) is False


def test_contacts_get_their_name_from_first_and_last_name(tmp_path):
    path = tmp_path / "Contact.csv"
    path.write_text(
        '"Id","AccountId","LastName","FirstName","Email"\n'
        '"0031","0011","Boxer","Bertha","bertha@example.com"\n'
        '"0032","0011","Cotton"," ","pc@example.com"\n'
        '"0033","0011","","",""\n'
    )
    con = store.connect(tmp_path / "c.duckdb")
    import_files(con, [path], kind="contacts")
    assert con.execute("SELECT contact_id, name FROM contacts ORDER BY 1").fetchall() == [
        ("0031", "Bertha Boxer"),
        ("0032", "Cotton"),
        ("0033", None),
    ]


def test_timestamps_are_read_typed_only_in_a_utc_session(con, tmp_path):
    path = tmp_path / "clean.csv"
    path.write_text(CLEAN)
    con.execute("SET TimeZone = 'Asia/Tokyo'")
    raw = read_csv(con, path, "t", path.name, choose_dates_and_numbers)
    assert raw.typed == {"Amount": "DOUBLE"}


def test_an_offset_past_the_sniffed_rows_is_converted_not_dropped(tmp_path):
    # DuckDB's sniffer samples the first rows and calls the column TIMESTAMP; the last cell
    # carries an offset, which a plain TIMESTAMP read would silently drop (stored as 10:00).
    stored = _import_with_a_late_row(
        tmp_path, "activities.csv", "Activity ID,Type,Completed At",
        "A{i:05d},call,2024-01-02 09:00:00", "LATE,call,2024-01-03 10:00:00+09:00",
        "SELECT activity_id, completed_at FROM activities "
        "WHERE activity_id IN ('A00000', 'LATE') ORDER BY activity_id",
        kind="activities",
    )  # fmt: skip
    assert stored == [
        ("A00000", "2024-01-02 09:00:00"),
        ("LATE", "2024-01-03 01:00:00"),
    ]
