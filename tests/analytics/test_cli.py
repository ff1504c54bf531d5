"""The command line as an analyst uses it: sample, status, dry runs and the progress bar."""

from analytics import cli, store
from analytics.errors import Note
from analytics.status import FIDELITY_LABELS, store_status

DEALS = "Deal ID,Deal Name,Stage,Amount,Created At\nD1,Alpha,Prospecting,100,2024-01-02\n"


def test_sample_loads_a_sample_of_the_size_asked(tmp_path, capsys):
    db = tmp_path / "s.duckdb"
    assert cli.main(["sample", "--db", str(db), "--deals", "300"]) == cli.EXIT_OK
    out = capsys.readouterr().out
    assert f"{db} now holds the sample data" in out
    con = store.connect(db)
    assert con.execute("SELECT count(*) FROM deals").fetchone() == (300,)


def test_status_prints_what_the_store_holds(tmp_path, capsys):
    db = tmp_path / "st.duckdb"
    cli.main(["sample", "--db", str(db), "--deals", "300"])
    capsys.readouterr()
    assert cli.main(["status", "--db", str(db)]) == cli.EXIT_OK
    out = capsys.readouterr().out
    con = store.connect(db, read_only=True)
    status = store_status(con)
    con.close()
    for table in status.tables:
        assert f"  {table.name:<18} {table.rows:>10,}" in out
    assert "  New Business: Prospecting > Preparation > Approach > Presentation > " in out
    assert f"Stage history: {status.fidelity_summary}" in out
    for q in status.quality:
        assert f"  {q.count:>8,}  {q.label}" in out


def test_status_counts_one_deal_in_the_singular(tmp_path, capsys):
    db = tmp_path / "one.duckdb"
    path = tmp_path / "deals.csv"
    path.write_text(DEALS)
    cli.main(["import", str(path), "--db", str(db)])
    capsys.readouterr()
    assert cli.main(["status", "--db", str(db)]) == cli.EXIT_OK
    out = capsys.readouterr().out.splitlines()
    assert f"  {FIDELITY_LABELS['derived']}: 1 deal" in out


def test_dry_run_checks_and_writes_nothing(tmp_path, capsys):
    db = tmp_path / "d.duckdb"
    path = tmp_path / "deals.csv"
    path.write_text(DEALS)
    con = store.connect(db)
    before = store.table_snapshot(con)
    con.close()
    assert cli.main(["import", str(path), "--db", str(db), "--dry-run"]) == cli.EXIT_OK
    out = capsys.readouterr().out
    assert "Checked (dry run, nothing written) deals.csv: 1 row as deals (preset generic" in out
    assert "    stage                  <- Stage" in out
    con = store.connect(db)
    assert store.table_snapshot(con) == before


def test_large_files_get_a_progress_bar(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(cli, "PROGRESS_MIN_BYTES", 0)
    path = tmp_path / "deals.csv"
    path.write_text(DEALS)
    assert cli.main(["import", str(path), "--db", str(tmp_path / "p.duckdb")]) == cli.EXIT_OK
    err = capsys.readouterr().err
    assert "reading deals.csv" in err
    assert "writing" in err


def test_small_files_get_none(tmp_path, capsys):
    path = tmp_path / "deals.csv"
    path.write_text(DEALS)
    assert cli.main(["import", str(path), "--db", str(tmp_path / "n.duckdb")]) == cli.EXIT_OK
    assert capsys.readouterr().err == ""


def test_skipped_files_are_named_with_their_reason(tmp_path, capsys):
    deals = tmp_path / "deals.csv"
    deals.write_text(DEALS)
    campaigns = tmp_path / "Campaign.csv"
    campaigns.write_text(
        "Id,IsDeleted,Name,Type,Status,StartDate,OwnerId,CreatedDate,SystemModstamp\n"
        "7015g00000CAMP1AAA,0,Spring Webinar,Webinar,Completed,2024-03-01,"
        "0055g00000USR01AAA,2024-01-10,2024-01-10\n"
    )
    events = tmp_path / "Event.csv"
    events.write_text("Id,WhoId,WhatId,Subject,ActivityDate,OwnerId,IsDeleted,CreatedDate\n")
    argv = ["import", str(deals), str(campaigns), str(events), "--db", str(tmp_path / "k.duckdb")]

    assert cli.main(argv) == cli.EXIT_OK
    out = capsys.readouterr().out.splitlines()
    assert "Imported deals.csv: 1 row as deals (preset generic, utf-8)" in out
    [campaign] = [line for line in out if line.startswith("Campaign.csv: ")]
    assert campaign.startswith(
        "Campaign.csv: 1 row not imported: its columns are not those of a table the dashboard "
        "uses; to import it anyway, import it by itself with --kind and one of pipelines, "
    )
    assert "Event.csv: 0 rows not imported: the file has a header but no data rows" in out
    assert not any(line.startswith("Data-quality notes") for line in out)


# One row of each kind the import notes: every data-quality note counts exactly 1.
NOTED_ONCE = {
    "organizations.csv": "organization_id,name\nO-1,Oak\n",
    "deals.csv": (
        "deal_id,stage,status,created_at,closed_at,owner,organization_id,is_deleted\n"
        "D1,Prospecting,open,2024-01-02,,Ann,O-1,false\n"
        "D1,Prospecting,open,2024-01-02,,Ann,O-1,false\n"  # an exact repeat
        "D2,Won,won,2024-02-10,2024-02-01,Ann,O-1,false\n"  # closes before it was created
        "D3,Lost,lost,2024-01-05,,Ann,O-1,false\n"  # closed without a close date
        "D4,Prospecting,open,2024-01-05,,,O-404,false\n"  # no owner, organization not loaded
        "D5,Prospecting,open,2024-01-05,,Bob,O-1,true\n"  # deleted
    ),
    "history.csv": (
        "deal_id,stage,entered_at,is_deleted\n"
        "D1,Prospecting,2024-01-02,false\n"
        "D9,Prospecting,2024-01-03,false\n"  # a deal that is not loaded
        "D1,Prospecting,2024-01-04,true\n"  # deleted
    ),
    "activities.csv": (
        "activity_id,type,subject,due_at,deal_id,is_deleted\n"
        "A1,call,Intro,2024-01-06,D1,false\n"
        "A2,,Untyped,2024-01-07,D1,false\n"  # no type
        "A3,Webinar,Custom,2024-01-08,D1,false\n"  # a custom type
        "A4,call,Deleted,2024-01-09,D1,true\n"  # deleted
        "A5,call,Orphan,2024-01-10,D404,false\n"  # a deal that is not loaded
    ),
    "rates.csv": "currency,rate_date,rate\nEUR,2024-01-01,0.9\nEUR,2024-01-01,0.9\n",
}


def test_a_note_about_one_row_reads_in_the_singular(tmp_path, capsys):
    paths = []
    for name, text in NOTED_ONCE.items():
        paths.append(tmp_path / name)
        paths[-1].write_text(text)
    argv = ["import", *map(str, paths), "--db", str(tmp_path / "one.duckdb"), "--dry-run"]

    assert cli.main(argv) == cli.EXIT_OK
    out = capsys.readouterr().out.splitlines()
    assert [line for line in out if line.startswith("  - ")] == [
        '  - deals.csv column "owner": 1 row has no value',
        '  - deals.csv column "deal_id": 1 row repeats another row exactly and was merged (row 3)',
        "  - deals.csv: 1 deleted deal was skipped (row 7)",
        '  - deals.csv column "closed_at": 1 closed deal closes before it was created (kept; '
        "left out of durations) (row 4)",
        '  - deals.csv column "closed_at": 1 closed deal has no close date (row 5)',
        '  - deals.csv column "organization_id": 1 row refers to an organization that is not '
        "loaded (kept; it links up when that is imported) (row 6)",
        "  - history.csv: 1 deleted history row was skipped (row 4)",
        '  - history.csv column "deal_id": 1 history row belongs to a deal that is not loaded '
        "(kept; it links up when the deal is imported) (row 3)",
        '  - activities.csv column "type": 1 row has no value',
        '  - activities.csv column "type": 1 activity has no type and was recorded as a task '
        "(row 3)",
        "  - activities.csv: 1 deleted activity was skipped (row 5)",
        '  - activities.csv column "type": 1 activity has the custom type "webinar"',
        '  - activities.csv column "deal_id": 1 row refers to a deal that is not loaded (kept; '
        "it links up when that is imported) (row 6)",
        "  - rates.csv: 1 row repeats another row's currency, date and rate exactly and was "
        "merged (row 3)",
    ]


def test_a_note_about_several_rows_keeps_the_plural():
    note = Note("deals.csv", "owner", 7, "rows have no value", (3, 5), one="row has no value")
    assert str(note) == 'deals.csv column "owner": 7 rows have no value (rows 3, 5, ...)'
