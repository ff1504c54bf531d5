"""The command line as an analyst uses it: sample, status, dry runs and the progress bar."""

from analytics import cli, store
from analytics.status import store_status

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


def test_dry_run_checks_and_writes_nothing(tmp_path, capsys):
    db = tmp_path / "d.duckdb"
    path = tmp_path / "deals.csv"
    path.write_text(DEALS)
    con = store.connect(db)
    before = store.table_snapshot(con)
    con.close()
    assert cli.main(["import", str(path), "--db", str(db), "--dry-run"]) == cli.EXIT_OK
    out = capsys.readouterr().out
    assert "Checked (dry run, nothing written) deals.csv: 1 rows as deals (preset generic" in out
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
