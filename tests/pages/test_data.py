"""The Data page: what is loaded, the checked import, the pipelines editor and the sample data."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics import import_review
from analytics.errors import StoreBusy
from analytics.import_review import NOTE_COLUMNS, PROBLEM_COLUMNS, FileOptions
from analytics.presets import PRESETS
from analytics.quality import quality_counts
from analytics.schema import IMPORTABLE
from analytics.status import FIDELITY_LABELS, TABLES, store_status
from analytics.store import connect
from pages.shared import filters, formatting
from pages.translations import JA
from tests.analytics.builders import build_store, day, pipeline_rows
from tests.pages.conftest import run_page

ROOT = Path(__file__).resolve().parents[2]
PAGE = "pages/data.py"

# A small store written literally: two pipelines (one with markdown in its name, which must be
# shown as typed), deals whose stage history comes from each source, and known quality problems.
ROWS = {
    "pipelines_stages": [
        ("Default", "Prospecting", 1, 0.1, None),
        ("Default", "Qualified", 2, 0.4, None),
        ("Default", "Proposal", 3, 0.7, None),
        ("Renewals *EMEA*", "Review", 1, 0.5, None),
        ("Renewals *EMEA*", "Renewal", 2, 0.9, None),
    ],
    "deals": [
        # deal_id, pipeline, stage, status, amount, owner, created_at, expected_close, closed_at
        ("D1", "Default", "Proposal", "open", 1000.0, "Aiko", "2025-01-06", "2025-02-01", None),
        ("D2", "Default", "Won", "won", 5000.0, "Ben", "2025-01-10", None, "2025-03-01"),
        ("D3", "Default", "Lost", "lost", None, None, "2025-02-03", None, "2025-02-20"),
        ("D4", "Renewals *EMEA*", "Review", "open", 200.0, "Aiko", "2025-03-15", None, None),
    ],
    "stage_events": [
        ("D1", "Prospecting", "2025-01-06", "history"),
        ("D1", "Qualified", "2025-01-13", "history"),
        ("D1", "Proposal", "2025-01-20", "history"),
        ("D2", "Prospecting", "2025-01-10", "derived"),
        ("D2", "Won", "2025-03-01", "derived"),
        ("D4", "Review", "2025-03-15", "snapshot"),
    ],
    "activities": [
        ("A1", "call", "Aiko", "D1", "2025-01-07", "2025-01-07"),
        ("A2", "email", "Ben", "D2", "2025-02-02", None),
    ],
    "targets": [("T1", "company", None, "won_amount", "2025-01-01", "2025-03-31", 10000.0)],
}

# Deal names that are markdown and HTML; an owner column the importer does not pick by itself.
DEALS_CSV = (
    "Deal ID,Deal Name,Pipeline,Stage,Amount,Rep,Salesperson,Created At\n"
    "N1,**bold**,Default,Prospecting,100,Aiko,Ann,2025-03-01\n"
    "N2,<script>alert(1)</script>,Default,Qualified,250,Ben,Bob,2025-03-02\n"
)
BROKEN_CSV = (
    "Deal ID,Deal Name,Stage,Amount,Created At\n"
    "Y1,**a**,Prospecting,<b>abc</b>,2025-01-02\n"
    "Y2,b,Nope,5,2025-01-03\n"
)


def write_rows(path) -> None:
    con = connect(path)
    con.executemany("INSERT INTO pipelines_stages VALUES (?, ?, ?, ?, ?)", ROWS["pipelines_stages"])
    con.executemany(
        "INSERT INTO deals (deal_id, pipeline, stage, status, amount, owner, created_at, "
        "expected_close_date, closed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        ROWS["deals"],
    )
    con.executemany(
        "INSERT INTO stage_events (deal_id, stage, entered_at, source) VALUES (?, ?, ?, ?)",
        ROWS["stage_events"],
    )
    con.executemany(
        "INSERT INTO activities (activity_id, type, owner, deal_id, due_at, completed_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        ROWS["activities"],
    )
    con.executemany("INSERT INTO targets VALUES (?, ?, ?, ?, ?, ?, ?)", ROWS["targets"])
    con.close()


@pytest.fixture
def filled_db(db_path):
    """A database holding ROWS, at $PIPELINE_DB."""
    write_rows(db_path)
    return db_path


def tab(name: str) -> dict[str, str]:
    """Return the query parameters that open one tab of the page."""
    return {"data_tab": name}


def tiles(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def frame_rows(at: AppTest, key: str) -> list[tuple]:
    frame = at.get_by_key(key).dataframe[0]
    return [tuple(row) for row in frame.value.itertuples(index=False)]


def counts(con) -> dict[str, int]:
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def table_contents(con) -> dict[str, list[tuple]]:
    return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in TABLES}


def assert_loaded_tab_shows(at: AppTest, status) -> None:
    """The tiles and the tables of the What is loaded tab are the store's status, value for value."""
    assert not at.exception
    assert tiles(at) == {
        label: formatting.count(status.rows(table))
        for table, label in [
            ("deals", "Deals"), ("stage_events", "Stage events"), ("activities", "Activities"),
            ("leads", "Leads"), ("organizations", "Organizations"), ("contacts", "Contacts"),
            ("targets", "Targets"),
        ]
    }  # fmt: skip
    tables = frame_rows(at, "home_tables")
    assert [rows for _, rows, _, _ in tables] == [t.rows for t in status.tables]
    assert [(first, last) for _, _, first, last in tables] == [
        (formatting.day(t.first), formatting.day(t.last)) for t in status.tables
    ]
    assert frame_rows(at, "home_pipelines") == [
        (name, len(stages), " → ".join(stages)) for name, stages in status.pipelines.items()
    ]


def test_what_is_loaded_shows_the_store_value_for_value(filled_db, expected_con):
    at = run_page(PAGE)

    assert at.title[0].value == "Data"
    assert [t.label for t in at.tabs] == [
        "What is loaded", "Data quality", "Import files", "Pipelines", "Sample data",
    ]  # fmt: skip
    assert_loaded_tab_shows(at, store_status(expected_con))
    assert tiles(at) == {
        "Deals": "4", "Stage events": "6", "Activities": "2", "Leads": "0",
        "Organizations": "0", "Contacts": "0", "Targets": "1",
    }  # fmt: skip
    assert frame_rows(at, "home_tables")[:2] == [
        ("Deals", 4, "Jan 6, 2025", "Mar 15, 2025"),
        ("Stage events", 6, "Jan 6, 2025", "Mar 15, 2025"),
    ]
    assert frame_rows(at, "home_tables")[3] == ("Leads", 0, "—", "—")
    # Every table the status lists has a name for people.
    assert [name for name, *_ in frame_rows(at, "home_tables")] == [
        "Deals", "Stage events", "Activities", "Leads", "Organizations", "Contacts", "Targets",
        "Pipeline stages", "Exchange rates", "Snapshots", "Deal changes",
    ]  # fmt: skip
    # The pipeline named in markdown is shown as typed, in a table.
    assert frame_rows(at, "home_pipelines") == [
        ("Default", 3, "Prospecting → Qualified → Proposal"),
        ("Renewals *EMEA*", 2, "Review → Renewal"),
    ]
    assert any("Jan 6, 2025 – Mar 15, 2025" in m.value for m in at.markdown)
    assert [b.label for b in at.get("download_button")] == ["Download CSV"] * 2


def test_data_quality_shows_the_fidelity_and_the_checks(filled_db, expected_con):
    at = run_page(PAGE, tab("Data quality"))

    assert not at.exception
    status = store_status(expected_con)
    assert [row[1] for row in frame_rows(at, "home_fidelity")] == list(status.fidelity.values())
    assert frame_rows(at, "home_quality") == [(q.label, q.count) for q in status.quality]
    assert frame_rows(at, "home_fidelity") == [
        ("full stage history from the CRM", 1, "25%"),
        ("built from successive exports (snapshots)", 1, "25%"),
        ("derived from created and closed dates only", 1, "25%"),
        ("no stage events", 1, "25%"),
    ]
    quality = dict(frame_rows(at, "home_quality"))
    assert quality["deals without an amount"] == 1
    assert quality["deals without an owner"] == 1
    assert quality["open deals without an expected close date"] == 1
    assert quality["open deals whose expected close date has passed"] == 1
    assert [t.value for t in at.text] == [
        "Stage history from several sources; the table gives each one's share."
    ]
    assert at.get_by_key("home_quality").caption[0].value == (
        f"{sum(1 for q in status.quality if q.count)} of 13 checks find records to look at."
    )


@pytest.mark.parametrize(
    ("amount", "english", "japanese"),
    [
        (100.0, "1 of 13 checks finds records to look at.",
         "13 件のチェックのうち 1 件で確認が必要なレコードがあります。"),
        (None, "2 of 13 checks find records to look at.",
         "13 件のチェックのうち 2 件で確認が必要なレコードがあります。"),
    ],
    ids=["one", "two"],
)  # fmt: skip
def test_the_checks_finding_records_in_the_singular_and_the_plural(
    db_path, amount, english, japanese
):
    # An open deal without an expected close date fails one check, and without an amount two.
    build_store(
        db_path,
        pipelines=pipeline_rows("P", ["Lead"]),
        deals=[
            {"deal_id": "D1", "pipeline": "P", "stage": "Lead", "status": "open",
             "amount": amount, "owner": "Aiko", "created_at": day("2025-03-01")},
        ],
    ).close()  # fmt: skip
    captions = []
    for params in [tab("Data quality"), {**tab(JA["Data quality"]), "lang": "JA"}]:
        at = run_page(PAGE, params)
        assert not at.exception
        captions.append(at.get_by_key("home_quality").caption[0].value)
    assert captions == [english, japanese]


def test_what_is_loaded_in_japanese(filled_db, expected_con):
    at = run_page(PAGE, {"lang": "JA"})

    assert not at.exception
    assert at.title[0].value == "データ"
    assert [t.label for t in at.tabs] == [
        "読み込み済みのデータ", "データ品質", "ファイルの取り込み", "パイプライン", "サンプルデータ",
    ]  # fmt: skip
    assert tiles(at)["商談"] == "4"
    assert tiles(at)["ステージ履歴"] == "6"
    tables = at.get_by_key("home_tables").dataframe[0].value
    assert list(tables.columns) == ["表", "行数", "最初の日付", "最後の日付"]
    assert tuple(tables.iloc[0]) == ("商談", 4, "2025/01/06", "2025/03/15")
    assert any("2025/01/06 – 2025/03/15" in m.value for m in at.markdown)
    assert at.sidebar.caption[0].value.endswith("基準日 2025/03/15")


def test_page_reached_through_switch_page_sets_itself_up(filled_db, expected_con):
    # AppTest.switch_page runs the page script without dashboard.py around it.
    at = run_page("dashboard.py")
    at.switch_page(PAGE).run()

    assert at.title[0].value == "Data"
    assert_loaded_tab_shows(at, store_status(expected_con))
    assert at.sidebar.selectbox(key=filters.KEY_PIPELINE).value == filters.ALL_PIPELINES


def test_empty_database_gets_the_sample_data(db_path, expected_con):
    at = run_page(PAGE)

    status = store_status(expected_con)
    assert status.rows("deals") > 0
    assert_loaded_tab_shows(at, status)


@pytest.fixture
def busy_db(db_path):
    """A database held open for writing by another process; yields that process's id."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                """
                import sys, time, duckdb
                con = duckdb.connect(sys.argv[1])
                print("ready", flush=True)
                time.sleep(120)
                """
            ),
            str(db_path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        yield holder.pid
    finally:
        holder.kill()
        holder.wait()


def test_busy_database_shows_why_instead_of_a_traceback(db_path, busy_db):
    at = run_page(PAGE)

    assert not at.exception
    assert at.title[0].value == "Data"
    assert len(at.error) == 1
    expected = StoreBusy(db_path, busy_db)
    shown = at.error[0].value.replace("\\", "")
    assert shown == f"**{expected.title}**: {expected}"
    assert f"(process {busy_db})" in shown
    assert not at.metric


def test_filters_from_the_url_are_kept_and_the_counts_ignore_them(filled_db, expected_con):
    # Data end on 15 Mar 2025, so the as-of date is that day and last quarter is Q4 2024.
    at = run_page(
        PAGE,
        {filters.KEY_PIPELINE: "Renewals *EMEA*", filters.KEY_PERIOD: "Last quarter"},
    )

    assert not at.exception
    assert at.sidebar.selectbox(key=filters.KEY_PIPELINE).value == "Renewals *EMEA*"
    assert at.sidebar.selectbox(key=filters.KEY_PERIOD).value == "last_quarter"
    assert at.sidebar.caption[0].value == "Oct 1, 2024 – Dec 31, 2024 · as of Mar 15, 2025"
    assert_loaded_tab_shows(at, store_status(expected_con))


def test_a_filter_leaving_nothing_changes_nothing_here(filled_db, expected_con):
    at = run_page(
        PAGE,
        {filters.KEY_PERIOD: "Custom range", filters.KEY_RANGE: ["2020-01-01", "2020-01-31"]},
    )

    assert at.sidebar.caption[0].value == "Jan 1, 2020 – Jan 31, 2020 · as of Mar 15, 2025"
    assert_loaded_tab_shows(at, store_status(expected_con))


def test_a_broken_file_shows_every_problem_and_leaves_the_store_as_it_was(
    filled_db, expected_con, tmp_path
):
    before = table_contents(expected_con)
    at = run_page(PAGE, tab("Import files"))
    assert at.info[0].value.startswith("Add one or more files.")
    pipelines_csv = (
        "Pipeline,Stage,Position,Probability,Rotting Days\nDefault,Prospecting,1,0.1,14\n"
    )

    at.file_uploader[0].set_value(
        [("broken.csv", BROKEN_CSV.encode(), "text/csv"),
         ("pipelines.csv", pipelines_csv.encode(), "text/csv")]
    ).run()  # fmt: skip

    assert not at.exception
    assert [s.value for s in at.subheader][:2] == ["broken\\.csv", "pipelines\\.csv"]
    assert [s.value for s in at.selectbox if s.label == "Kind of records"] == [None, None]
    kinds = [s.format_func(None) for s in at.selectbox if s.label == "Kind of records"]
    assert kinds == ["Deals (detected)", "Pipelines and stages (detected)"]
    assert at.selectbox[1].options == [
        "Deals (detected)", "Pipelines and stages", "Organizations", "Contacts", "Leads", "Deals",
        "Stage history", "Activities", "Targets", "Exchange rates",
    ]  # fmt: skip
    # The problems are the dry run's, through the same importer as the command line.
    for_files = []
    for name, text in [("broken.csv", BROKEN_CSV), ("pipelines.csv", pipelines_csv)]:
        (tmp_path / name).write_text(text)
        for_files.append((str(tmp_path / name), FileOptions(), "deals"))
    expected = import_review.review(expected_con, import_review.import_groups(for_files))
    shown = at.get_by_key("data_problems").dataframe[0].value
    assert shown.columns.tolist() == ["File", "Row", "Column", "Value", "Problem"]
    assert shown.astype(str).values.tolist() == expected.problems.astype(str).values.tolist()
    assert shown[["File", "Row", "Column", "Value"]].astype(str).values.tolist() == [
        ["broken.csv", "2", "Amount", "<b>abc</b>"],
        ["broken.csv", "3", "Stage", "Nope"],
    ]
    assert at.error[0].value.startswith("2 problems found. Nothing is written")
    confirm = at.button(key="data_confirm")
    assert confirm.label == "Import 2 files"
    # A browser cannot press a disabled button (AppTest refuses to); the dry run wrote nothing.
    assert confirm.disabled
    assert table_contents(expected_con) == before


@pytest.mark.parametrize(
    ("text", "caption", "error"),
    [
        ("Deal ID,Deal Name,Stage,Amount,Created At\nY2,b,Nope,5,2025-01-03\n",
         "1 data row, 5 columns, utf-8",
         "1 problem found. Nothing is written until it is fixed, in the file or in the mapping "
         "above."),
        ("Deal ID\nY1\n",
         "1 data row, 1 column, utf-8",
         "1 problem found. Nothing is written until it is fixed, in the file or in the mapping "
         "above."),
        (BROKEN_CSV,
         "2 data rows, 5 columns, utf-8",
         "2 problems found. Nothing is written until they are fixed, in the files or in the "
         "mapping above."),
    ],
)  # fmt: skip
def test_the_file_and_its_check_count_in_the_singular_and_the_plural(
    filled_db, text, caption, error
):
    at = run_page(PAGE, tab("Import files"))
    at.file_uploader[0].set_value(("deals.csv", text.encode(), "text/csv")).run()
    assert not at.exception
    assert caption in [c.value for c in at.caption]
    assert [e.value for e in at.error] == [error]


def test_two_good_files_are_checked_together(filled_db):
    at = run_page(PAGE, tab("Import files"))
    second = "Deal ID,Deal Name,Pipeline,Stage,Amount,Created At\nN3,c,Default,Won,5,2025-03-03\n"
    at.file_uploader[0].set_value(
        [("deals.csv", DEALS_CSV.encode(), "text/csv"),
         ("more deals.csv", second.encode(), "text/csv")]
    ).run()  # fmt: skip
    assert not at.exception
    assert [s.value for s in at.success] == ["No problems found: the files can be imported."]
    assert at.button(key="data_confirm").label == "Import 2 files"


def test_import_with_a_changed_mapping_writes_the_files(filled_db, expected_con):
    before = counts(expected_con)
    at = run_page(PAGE, tab("Import files"))
    at.file_uploader[0].set_value(("new deals.csv", DEALS_CSV.encode(), "text/csv")).run()
    editor = at.data_editor[0]
    mapping = editor.value.set_index("Column")["From the file"]
    assert mapping["owner"] == "Rep"
    assert mapping["deal_id"] == "Deal ID"
    row_of = {c: i for i, c in enumerate(editor.value["Column"])}
    # The owner comes from Salesperson, and every deal of the file gets the source "Fair".
    at.session_state[editor.key] = {
        "edited_rows": {
            row_of["owner"]: {"From the file": "Salesperson"},
            row_of["source"]: {"Fixed value": "Fair"},
        },
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert not at.exception
    assert at.success[0].value == "No problems found: the file can be imported."
    assert any(c.value.startswith("Columns kept as custom columns") and "Rep" in c.value
               for c in at.caption)  # fmt: skip

    assert "data_upload_dir" in at.session_state

    at.button(key="data_confirm").click().run()

    assert not at.exception
    assert at.success[0].value == "Import done: 2 rows added or changed."
    after = counts(expected_con)
    assert after["deals"] == before["deals"] + 2
    assert expected_con.execute(
        "SELECT deal_id, name, owner, source FROM deals WHERE deal_id LIKE 'N%' ORDER BY 1"
    ).fetchall() == [
        ("N1", "**bold**", "Ann", "Fair"),
        ("N2", "<script>alert(1)</script>", "Bob", "Fair"),
    ]
    # The uploader starts empty again, and the uploaded copy is gone.
    assert not at.file_uploader[0].value
    assert "data_upload_dir" not in at.session_state


def test_values_replaced_in_a_file_are_checked_and_imported(filled_db, expected_con):
    leads = "Lead ID,Lead Status,Created At\nL1,Webinar,2025-03-01\nL2,new,2025-03-02\n"
    at = run_page(PAGE, tab("Import files"))
    at.file_uploader[0].set_value(("leads.csv", leads.encode(), "text/csv")).run()
    assert not at.exception
    problems = frame_rows(at, "data_problems")
    assert [(p[1], p[2], p[3]) for p in problems] == [(2, "Lead Status", "Webinar")]
    assert at.button(key="data_confirm").disabled

    (editor,) = [e for e in at.data_editor if e.key.startswith("data_values_")]
    at.session_state[editor.key] = {
        "edited_rows": {},
        "added_rows": [
            {"Column": "status", "Value in the file": "WEBINAR", "Store instead": "working"},
            # still being typed: no value in the file yet
            {"Column": "owner"},
        ],
        "deleted_rows": [],
    }
    at.run()

    assert not at.exception
    assert at.success[0].value == "No problems found: the file can be imported."
    assert frame_rows(at, "data_replaced") == [("leads.csv", "status", "WEBINAR", "working", 1)]
    at.button(key="data_confirm").click().run()
    assert not at.exception
    assert expected_con.execute(
        "SELECT lead_id, status FROM leads WHERE lead_id IN ('L1', 'L2') ORDER BY 1"
    ).fetchall() == [("L1", "working"), ("L2", "new")]


def test_pipelines_are_edited_checked_and_saved(filled_db, expected_con):
    at = run_page(PAGE, tab("Pipelines"))
    editor = at.data_editor(key="data_stages_0")
    shown = editor.value
    assert [tuple(r) for r in shown[["pipeline", "stage", "position"]].itertuples(index=False)] == [
        ("Default", "Prospecting", 1), ("Default", "Qualified", 2), ("Default", "Proposal", 3),
        ("Renewals *EMEA*", "Review", 1), ("Renewals *EMEA*", "Renewal", 2),
    ]  # fmt: skip
    assert at.button(key="data_stages_save").disabled

    # Removing Qualified, a stage history names, is refused before anything is written.
    at.session_state["data_stages_0"] = {
        "edited_rows": {}, "added_rows": [], "deleted_rows": [1],
    }  # fmt: skip
    at.run()
    assert at.error[0].value == "1 problem; nothing is saved until it is fixed."
    problems = at.get_by_key("data_stage_problems").dataframe[0].value
    assert problems.iloc[0, 0].startswith('pipeline "Default": the stage "Qualified"')
    assert at.button(key="data_stages_save").disabled

    at.session_state["data_stages_0"] = {
        "edited_rows": {0: {"rotting_days": 10}, 2: {"probability": 0.75}},
        "added_rows": [{"pipeline": "Default", "stage": "Negotiation", "position": 4,
                        "probability": 0.9}],
        "deleted_rows": [],
    }  # fmt: skip
    at.run()
    assert not at.error
    at.button(key="data_stages_save").click().run()

    assert not at.exception
    assert at.success[0].value == "Saved 6 stages; every page now uses them."
    assert expected_con.execute(
        "SELECT stage, position, probability, rotting_days FROM pipelines_stages "
        "WHERE pipeline = 'Default' ORDER BY position"
    ).fetchall() == [
        ("Prospecting", 1, 0.1, 10),
        ("Qualified", 2, 0.4, None),
        ("Proposal", 3, 0.75, None),
        ("Negotiation", 4, 0.9, None),
    ]
    # The editor shows what was saved, with nothing left to save.
    assert len(at.data_editor(key="data_stages_1").value) == 6


def test_a_stage_still_in_use_is_refused_in_japanese(filled_db):
    # Edited before the first run: on a rerun AppTest looks for the period filter's English
    # value among its Japanese labels, and fails.
    at = run_page(
        PAGE,
        {"lang": "JA", **tab("パイプライン")},
        data_stages_0={"edited_rows": {}, "added_rows": [], "deleted_rows": [1]},
    )

    problems = at.get_by_key("data_stage_problems").dataframe[0].value
    assert list(problems.columns) == ["問題"]
    assert problems.iloc[0, 0].startswith(
        'パイプライン "Default" のステージ "Qualified" は削除も名前の変更もできません。'
    )


def test_the_sample_data_is_restored_after_confirmation(filled_db, expected_con):
    at = run_page(PAGE, tab("Sample data"))
    restore = at.button(key="data_sample_restore")
    assert restore.disabled

    at.checkbox(key="data_sample_sure_0").check().run()
    at.button(key="data_sample_restore").click().run()

    assert not at.exception
    assert at.success[0].value.startswith("The sample data is loaded")
    assert counts(expected_con)["deals"] == 4000
    assert expected_con.execute("SELECT count(*) FROM deals WHERE deal_id = 'D1'").fetchone() == (
        0,
    )


def test_texts_translated_at_run_time_have_japanese(db_path):
    # Labels kept in tables (the page's and the analytics') reach _() as values, not literals.
    tree = ast.parse((ROOT / PAGE).read_text(encoding="utf-8"))
    tables = {
        node.targets[0].id: {
            ast.literal_eval(k) if k else None: v.value
            for k, v in zip(node.value.keys, node.value.values, strict=True)
            if isinstance(v, ast.Constant)
        }
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.targets[0], ast.Name)
        and node.targets[0].id in ("TILES", "TABLE_LABELS", "KIND_LABELS", "DATE_ORDERS")
    }
    (tabs,) = [
        ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "TABS"
    ]
    con = connect(db_path)
    try:
        checks = [q.label for q in quality_counts(con)]
    finally:
        con.close()
    texts = {
        *tables["TILES"].values(), *tables["TABLE_LABELS"].values(),
        *tables["KIND_LABELS"].values(), *tables["DATE_ORDERS"].values(),
        *tabs, *FIDELITY_LABELS.values(), *checks, *PROBLEM_COLUMNS, *NOTE_COLUMNS,
        *(p.title for p in PRESETS.values()),
    }  # fmt: skip

    assert set(tables["KIND_LABELS"]) == set(IMPORTABLE)
    assert set(tables["TILES"]) | set(tables["TABLE_LABELS"]) == set(TABLES)
    assert len(checks) == 13
    assert sorted(t for t in texts if t not in JA) == []
