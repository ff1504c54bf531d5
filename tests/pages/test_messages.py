"""The importer's messages in Japanese: every problem the bad-input suite provokes has an entry."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from analytics import importer, store
from analytics.checks import MAX_LISTED
from analytics.errors import AnalyticsError, ImportRejected, Problem, StoreBusy
from analytics.import_review import ImportStopped
from analytics.mapping import resolve_mapping
from analytics.pipeline_editing import COLUMNS, StagesRejected, save_stages, stage_problems
from analytics.target_editing import TargetsRejected, check_targets, save_targets
from pages.shared import messages
from pages.shared.locale import ENGLISH, JAPANESE, set_language
from pages.translations import JA
from pages.translations.messages import PATTERNS
from tests.analytics.builders import build_store, d, day, pipeline_rows
from tests.analytics.test_bad_input import BROKEN, input_file

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture(scope="module")
def provoked(tmp_path_factory) -> dict[str, str]:
    """Return every problem message the broken files give, with the file that gave it."""
    folder = tmp_path_factory.mktemp("broken")
    found: dict[str, str] = {}
    con = store.connect(folder / "empty.duckdb")
    try:
        for name, *_ in BROKEN:
            try:
                importer.import_files(con, [input_file(name, folder)], dry_run=True)
            except ImportRejected as rejected:
                for problem in rejected.problems:
                    found.setdefault(problem.message, name)
    finally:
        con.close()
    return found


@pytest.fixture(scope="module")
def noted(tmp_path_factory) -> dict[str, str]:
    """Return every data-quality note the CRM export fixtures give, with the file that gave it."""
    folder = tmp_path_factory.mktemp("noted")
    found: dict[str, str] = {}
    for i, path in enumerate(sorted((FIXTURES / "crm").rglob("*.csv"))):
        con = store.connect(folder / f"{i}.duckdb")
        try:
            result = importer.import_files(con, [path], dry_run=True)
        except ImportRejected:
            continue
        finally:
            con.close()
        for report in result.files:
            for note in report.notes:
                found.setdefault(note.message, path.name)
    return found


def test_the_fixtures_give_many_kinds_of_message(provoked, noted):
    assert len(provoked) >= 30
    assert len(noted) >= 8


def test_every_message_has_exactly_one_entry(provoked, noted):
    for text, name in {**provoked, **noted}.items():
        matching = [p for p, _ in PATTERNS if re.fullmatch(p, text, re.DOTALL)]
        assert len(matching) == 1, f"{name}: {text!r} matches {len(matching)} entries"


def test_values_inside_a_message_survive_translation(provoked, noted):
    # Stage, pipeline and file names, row numbers: what the user needs to find the problem.
    for text in {**provoked, **noted}:
        japanese = messages.japanese(text)
        for quoted in re.findall(r'"[^"]*"', text):
            if quoted.strip('"') not in ("Open - Not Contacted", "Closed - Converted"):
                assert quoted in japanese, (text, japanese)
        for number in re.findall(r"\d+", text):
            assert number in japanese, (text, japanese)


@pytest.mark.parametrize(
    ("english", "japanese"),
    [
        ("not a number", "数値ではありません"),
        ("duplicate ID with different content (rows 3, 5)", "内容の異なる重複 ID です (行 3, 5)"),
        ("and 12 more rows with this problem", "ほかに 12 行に同じ問題があります"),
        (
            "rows not imported: the file has a header but no data rows",
            "取り込まなかった行: 見出し行はありますが、データ行がありません",
        ),
        ("a message nobody translated", "a message nobody translated"),
    ],
)
def test_message_follows_the_interface_language(english, japanese):
    set_language(JAPANESE)
    try:
        assert messages.message(english) == japanese
    finally:
        set_language(ENGLISH)
    assert messages.message(english) == english


STAGE = (
    '"Nope" is not a stage of pipeline "Sales" (its stages: Lead, Demo; 1 {rows}). Declare the '
    'stages in order, e.g. --pipeline "Sales" --stages "Lead,Demo,Nope", or on the Data page; '
    'or, if it is another name of one of them, replace it: --value "stage:Nope=Lead", or '
    "Replace values on the Data page"
)


@pytest.mark.parametrize(
    ("singular", "plural"),
    [
        ("and 1 more row with this problem", "and 1 more rows with this problem"),
        (STAGE.format(rows="row"), STAGE.format(rows="rows")),
        (
            "1 problem found; files imported before the refusal: deals.csv",
            "1 problems found; files imported before the refusal: deals.csv",
        ),
    ],
)
def test_a_count_of_one_reads_in_the_singular_and_translates_alike(singular, plural):
    matching = [p for p, _ in PATTERNS if re.fullmatch(p, singular, re.DOTALL)]
    assert len(matching) == 1, f"{singular!r} matches {len(matching)} entries"
    assert messages.japanese(singular) == messages.japanese(plural) is not None


UNDECLARED = (
    'pipeline "Enterprise" is not declared, so its stages are unknown ({n}). Declare the stages '
    'in order, e.g. --pipeline "Enterprise" --stages "Pilot,Rollout", or on the Data page'
)
UNDECLARED_JA = (
    'パイプライン "Enterprise" が定義されていないため、ステージがわかりません ({n} 行)。'
    'ステージを順番どおりに定義してください。例: --pipeline "Enterprise" --stages '
    '"Pilot,Rollout"。データページの「パイプライン」タブでも定義できます'
)
IN_USE = (
    'pipeline "Sales": the stage "{stage}" cannot be removed or renamed, {deals} in it and '
    "{events} it (rename it in the CRM's export and import that instead)"
)
IN_USE_JA = (
    'パイプライン "Sales" のステージ "{stage}" は削除も名前の変更もできません。進行中の商談が '
    "{deals} 件このステージにあり、このステージを指す履歴行が {events} 行あります (CRM の"
    "エクスポートで名前を変えて、それを取り込んでください)"
)
# Messages no file of the bad-input suite provokes, each in its plural and singular form.
UNPROVOKED = {
    "and 2 more duplicated IDs": "ほかに 2 件の重複 ID があります",
    "and 1 more duplicated ID": "ほかに 1 件の重複 ID があります",
    UNDECLARED.format(n="2 rows"): UNDECLARED_JA.format(n=2),
    UNDECLARED.format(n="1 row"): UNDECLARED_JA.format(n=1),
    IN_USE.format(stage="Demo", deals="1 open deal is", events="1 history row names"): (
        IN_USE_JA.format(stage="Demo", deals=1, events=1)
    ),
    IN_USE.format(stage="Lead", deals="0 open deals are", events="2 history rows name"): (
        IN_USE_JA.format(stage="Lead", deals=0, events=2)
    ),
}


def _refusals(con, path: Path) -> list[str]:
    try:
        importer.import_files(con, [path], dry_run=True)
    except ImportRejected as rejected:
        return [p.message for p in rejected.problems]
    raise AssertionError(f"{path.name} was not refused")


@pytest.fixture(scope="module")
def unprovoked(tmp_path_factory) -> set[str]:
    """Return the messages of UNPROVOKED's kinds as the importer and the pipeline editor give
    them."""
    folder = tmp_path_factory.mktemp("unprovoked")
    found: list[str] = []
    con = store.connect(folder / "empty.duckdb")
    try:
        for extra in (1, 2):
            path = folder / f"duplicates_{extra}.csv"
            ids = range(MAX_LISTED + extra)
            path.write_text(
                "deal_id,stage,created_at,amount\n"
                + "".join(f"D{i},Prospecting,2024-01-02,{a}\n" for i in ids for a in (1, 2))
            )
            found += [m for m in _refusals(con, path) if m.startswith("and ")]
        path = folder / "undeclared.csv"
        path.write_text(
            "deal_id,pipeline,stage,created_at\nD1,Enterprise,Pilot,2024-01-02\n"
            "D2,Enterprise,Pilot,2024-01-02\nD3,Enterprise,Rollout,2024-01-02\n"
        )
        found += _refusals(con, path)
    finally:
        con.close()
    # Demo holds D1 and one history row names it; Lead no open deal and two history rows.
    con = build_store(
        folder / "stages.duckdb",
        pipelines=pipeline_rows("Sales", ["Lead", "Demo"]),
        deals=[
            {"deal_id": "D1", "pipeline": "Sales", "stage": "Demo", "status": "open",
             "created_at": day("2025-01-02")},
            {"deal_id": "D2", "pipeline": "Sales", "stage": "Won", "status": "won",
             "created_at": day("2025-01-03"), "closed_at": day("2025-01-20")},
        ],
        events=[("D1", "Lead", day("2025-01-02")), ("D1", "Demo", day("2025-01-10")),
                ("D2", "Lead", day("2025-01-03")), ("D2", "Won", day("2025-01-20"))],
    )  # fmt: skip
    try:
        found += stage_problems(
            con, pd.DataFrame([("Sales", "Offer", 1, 0.7, 30)], columns=COLUMNS)
        )
    finally:
        con.close()
    return set(found)


def assert_one_entry_keeping_values(english: str, japanese: str) -> None:
    """Check english matches one pattern, gives japanese, and keeps its quoted names and numbers."""
    matching = [p for p, _ in PATTERNS if re.fullmatch(p, english, re.DOTALL)]
    assert len(matching) == 1, f"{english!r} matches {len(matching)} entries"
    assert messages.japanese(english) == japanese
    for quoted in re.findall(r'"[^"]*"', english):
        assert quoted in japanese
    for number in re.findall(r"\d+", english):
        assert number in japanese


def test_the_unprovoked_messages_are_the_ones_the_code_gives(unprovoked):
    assert unprovoked == set(UNPROVOKED)


@pytest.mark.parametrize(("english", "japanese"), UNPROVOKED.items())
def test_unprovoked_messages_have_one_entry_and_keep_their_values(english, japanese):
    assert_one_entry_keeping_values(english, japanese)


def test_every_pattern_compiles_and_every_template_uses_its_groups():
    for pattern, text in PATTERNS:
        groups = set(re.compile(pattern).groupindex)
        assert set(re.findall(r"{(\w+)}", text)) == groups, pattern


def _raised(call) -> AnalyticsError:
    try:
        call()
    except AnalyticsError as error:
        return error
    raise AssertionError("no error raised")


PROBLEM = Problem("deals.csv", 3, "amount", "-5", "negative amount")


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (ImportRejected([PROBLEM, PROBLEM]), "2 件の問題が見つかりました。何も取り込んでいません"),
        (TargetsRejected([PROBLEM]), "1 件の問題が見つかりました。何も保存していません"),
        (StagesRejected([PROBLEM] * 3), "3 件の問題が見つかりました。何も保存していません"),
        (
            ImportStopped([PROBLEM] * 4, ["deals.csv"]),
            "4 件の問題が見つかりました。中止する前に取り込んだファイル: deals.csv",
        ),
        (StoreBusy(Path("/srv/pipeline.duckdb"), 4242), "/srv/pipeline.duckdb"),
        (StoreBusy(Path("/srv/pipeline.duckdb"), None), "/srv/pipeline.duckdb"),
        (_raised(lambda: store._refuse_newer(store.SCHEMA_VERSION + 1)), "スキーマ"),
        (
            _raised(lambda: resolve_mapping(["Deal"], kind="deals", explicit={"nope": "Deal"})),
            "'nope' は deals の列ではありません",
        ),
        (
            _raised(lambda: resolve_mapping(["Deal"], explicit={"nope": "Deal"})),
            "対応付けに、どの種類のレコードにもない列が含まれています",
        ),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, AnalyticsError) else None,
)
def test_errors_a_page_shows_whole_have_one_entry_and_a_japanese_title(error, expected):
    text = str(error)
    matching = [p for p, _ in PATTERNS if re.fullmatch(p, text, re.DOTALL)]
    assert len(matching) == 1, f"{text!r} matches {len(matching)} entries"
    japanese = messages.japanese(text)
    assert expected in japanese
    for number in re.findall(r"\d+", text):
        assert number in japanese, (text, japanese)
    assert JA[error.title] != error.title


# Every message the pipeline editor and the target editor give about an edited table.
EDITED = {
    'row 1 ("Lead" of "Sales"): the probability is a share from 0 to 1': (
        '1 行目 (パイプライン "Sales" のステージ "Lead"): 確度は 0〜1 の割合で入れてください'
    ),
    'row 1 ("Lead" of "Sales"): rotting days are a whole number from 0': (
        '1 行目 (パイプライン "Sales" のステージ "Lead"): 放置日数は 0 以上の整数で入れてください'
    ),
    'row 3 ("Closed Won" of "Sales"): Won and Lost are outcomes, not open stages; every '
    "pipeline has them": (
        '3 行目 (パイプライン "Sales" のステージ "Closed Won"): 受注 (Won) と失注 (Lost) は'
        "商談の結果で、進行中のステージではありません。どのパイプラインにも最初からあります"
    ),
    'row 3 ("Closed Won" of "Sales"): the position is a whole number from 1': (
        '3 行目 (パイプライン "Sales" のステージ "Closed Won"): 位置は 1 以上の整数で入れてください'
    ),
    "row 4: a stage needs both a pipeline and a stage name": (
        "4 行目: ステージにはパイプライン名とステージ名の両方が必要です"
    ),
    'pipeline "Sales": "Lead" and "lead" have the same position 1': (
        'パイプライン "Sales" のステージ "Lead" と "lead" の位置が同じ (1) です'
    ),
    'pipeline "Sales": the stage "lead" is listed twice': (
        'パイプライン "Sales" にステージ "lead" が 2 回あります'
    ),
    "not a target scope (expected one of company, team, owner)": (
        "目標の対象ではありません (company, team, owner のいずれか)"
    ),
    "a target needs a scope (company, team, owner)": (
        "目標には範囲が必要です (company, team, owner のいずれか)"
    ),
    "a target needs a metric": "目標には指標が必要です",
    "a target needs the first and last day of its period": (
        "目標には期間の開始日と終了日が必要です"
    ),
    "a target needs a value": "目標には目標値が必要です",
    "a team or owner target needs the team's or owner's name": (
        "チームまたは担当者の目標には、チーム名か担当者名が必要です"
    ),
    "not a target metric (expected one of won_amount, won_count, new_deals, pipeline_created, "
    "activities_completed, or activities_completed:<type>)": (
        "目標の指標ではありません (won_amount, won_count, new_deals, pipeline_created, "
        "activities_completed のいずれか、または activities_completed:<種類>)"
    ),
    "the period ends before it starts": "期間の終わりが始まりより前です",
    "a target value must be a number of 0 or more": "目標値は 0 以上の数値にしてください",
    "not a number": "数値ではありません",
    "the same target id is in row 1": "同じ目標 ID が 1 行目にもあります",
    "the same target as row 1 (same scope, metric and period)": (
        "1 行目と同じ目標です (範囲・指標・期間が同じです)"
    ),
}
JAN = (d("2025-01-01"), d("2025-01-31"))


def _target(target_id, scope, of, metric, period, value) -> dict:
    return {
        "target_id": target_id, "scope": scope, "scope_value": of, "metric": metric,
        "period_start": period[0], "period_end": period[1], "target_value": value,
    }  # fmt: skip


@pytest.fixture(scope="module")
def edited(tmp_path_factory) -> tuple[set[str], list[AnalyticsError]]:
    """Return the messages of EDITED as the editors give them, and the errors their saves
    raise."""
    folder = tmp_path_factory.mktemp("edited")
    found: list[str] = []
    refused: list[AnalyticsError] = []
    # Demo stays, so no stage in use is removed: that message has its own test above.
    con = build_store(
        folder / "stages.duckdb",
        pipelines=pipeline_rows("Sales", ["Lead", "Demo"]),
        deals=[{"deal_id": "D1", "pipeline": "Sales", "stage": "Demo", "status": "open",
                "created_at": day("2025-01-02")}],
    )  # fmt: skip
    stages = pd.DataFrame(
        [
            ("Sales", "Lead", 1, 1.5, -2),
            ("Sales", "Demo", 2, 0.5, 7),
            ("Sales", "Closed Won", 0.5, None, None),
            (None, "Orphan", 4, None, None),
            ("Sales", "lead", 1, None, None),
        ],
        columns=COLUMNS,
    )
    try:
        found += stage_problems(con, stages)
        refused.append(_raised(lambda: save_stages(con, stages)))
    finally:
        con.close()
    targets = pd.DataFrame(
        [
            _target("A", "region", "North", "won_amount", JAN, 10),
            _target(None, None, None, None, (None, None), None),
            _target(None, "team", " ", "calls", (JAN[1], JAN[0]), -5),
            _target("A", "company", None, "won_amount", JAN, "many"),
        ]
    )
    # Two new rows for one target pass the row checks; the save finds they get the same id.
    twice = pd.DataFrame([_target(None, "owner", "Ben", "won_count", JAN, n) for n in (3, 4)])
    found += [p.message for p in check_targets(targets)]
    con = build_store(folder / "targets.duckdb")
    try:
        refused.append(_raised(lambda: save_targets(con, targets)))
        refused.append(_raised(lambda: save_targets(con, twice)))
    finally:
        con.close()
    found += [p.message for p in refused[-1].problems]
    return set(found), refused


def test_the_edited_messages_are_the_ones_the_editors_give(edited):
    assert edited[0] == set(EDITED)


@pytest.mark.parametrize(("english", "japanese"), EDITED.items())
def test_edited_messages_have_one_entry_and_keep_their_values(english, japanese):
    assert_one_entry_keeping_values(english, japanese)


def test_the_editors_refusals_have_one_entry(edited):
    expected = [
        "7 件の問題が見つかりました。何も保存していません",
        "12 件の問題が見つかりました。何も保存していません",
        "1 件の問題が見つかりました。何も保存していません",
    ]
    texts = [str(error) for error in edited[1]]
    for text in texts:
        matching = [p for p, _ in PATTERNS if re.fullmatch(p, text, re.DOTALL)]
        assert len(matching) == 1, f"{text!r} matches {len(matching)} entries"
    assert [messages.japanese(text) for text in texts] == expected
    assert [type(error) for error in edited[1]] == [
        StagesRejected,
        TargetsRejected,
        TargetsRejected,
    ]
