"""Goals: who is on track? Every target's attainment, pace and projection, a leaderboard, and
the targets themselves, edited in a table or imported from CSV."""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from analytics import goals, import_review, importer, target_editing
from analytics.derived import reporting_currency
from analytics.errors import AnalyticsError, ImportRejected
from analytics.schema import TARGET_METRICS, TARGET_SCOPES
from pages.figures import goals as figures
from pages.shared import formatting, messages, widgets
from pages.shared.layout import page_setup, show_error
from pages.shared.locale import _, plural

TITLE = "Goals"
KEY_METRIC = "goals_metric"
# The editor's key carries the store's write count, so it starts afresh from what is stored.
KEY_EDITOR = "goals_editor_{version}"
KEY_UPLOAD = "goals_upload"
KEY_SAVED = "goals_saved"
KEY_ORDER = "goals_rep_order"
REPS_SHOWN = 20  # rep bullets drawn at most
ROWS_SHOWN = 50  # rows of a table drawn at most; its CSV holds every row


ctx = page_setup(
    TITLE,
    "Who is on track? Attainment, pace and projection of every target for the company, each "
    "team and each rep, the leaderboard, and the targets themselves.",
)
f = ctx.filters.metric_filters
currency = ctx.query(reporting_currency)
progress = ctx.query(goals.goal_progress, f)
metrics = [m for m in TARGET_METRICS if m in set(progress["metric"])]
metrics += sorted(set(progress["metric"]) - set(metrics))

if st.session_state.get(KEY_SAVED):
    st.success(st.session_state.pop(KEY_SAVED), icon=":material/check:")
progress_tab, board_tab, edit_tab, import_tab = widgets.tabs(
    [_("Progress"), _("Leaderboard"), _("Edit targets"), _("Import from CSV")],
    key="goals_tab",
    on_change="rerun",
)

with progress_tab:
    if not metrics:
        widgets.empty_state(
            _("No target overlaps this period for the filtered team or owner."),
            _("Choose another period, or add targets in the Edit targets tab."),
        )
        metric = None
    else:
        metric = st.segmented_control(
            _("Metric"),
            metrics,
            default="won_amount" if "won_amount" in metrics else metrics[0],
            format_func=figures.metric_label,
            key=KEY_METRIC,
            required=True,
        )
        shown = figures.in_scope_order(progress[progress["metric"] == metric])
        rep_count = int((shown["scope"] == "owner").sum())
        behind_first = True
        if rep_count > REPS_SHOWN:
            behind_first = (
                st.radio(
                    _("Reps shown"),
                    ["behind", "ahead"],
                    format_func=lambda o: (
                        _("Furthest behind") if o == "behind" else _("Furthest ahead")
                    ),
                    horizontal=True,
                    key=KEY_ORDER,
                )
                == "behind"
            )
        drawn = figures.bullet_rows(shown, REPS_SHOWN, behind_first)
        labels = figures.target_labels(drawn)
        with st.container(border=True):
            st.subheader(_("Attainment and pace"), anchor=False)
            elapsed = figures.common_elapsed(drawn)
            st.caption(
                _(
                    "Bars: share of the target reached, coloured by status. Black tick: where "
                    "the target expects to be by now. Diamond: projection at the period's end. "
                    "Click a bar to see its pace line."
                )
                + (
                    " "
                    + _("{elapsed} of the period has gone.").format(
                        elapsed=formatting.percent(elapsed)
                    )
                    if elapsed is not None
                    else ""
                )
            )
            widgets.how_computed(
                goals.GOAL_ATTAINMENT,
                goals.GOAL_PACE,
                goals.GOAL_PROJECTION,
                goals.GOAL_REQUIRED_PER_DAY,
                key="goals_how",
            )
            event = widgets.chart(
                figures.bullets(drawn, labels, currency),
                key="goals_bullets",
                name="goals",
                select=True,
            )
            if rep_count > REPS_SHOWN:
                st.caption(
                    _("{shown} of {total} reps drawn.").format(
                        shown=formatting.count(REPS_SHOWN), total=formatting.count(rep_count)
                    )
                )
            names = dict(zip(drawn["target_id"], labels, strict=True))
            picked = widgets.drill_pick(
                _("Pace line of"),
                list(names),
                event,
                key="goals_target",
                from_point=lambda p: (p.get("customdata") or [None])[0],
                format_func=lambda t: names.get(t, t),
            )
            if picked:
                row = drawn[drawn["target_id"] == picked].iloc[0]
                series = ctx.query(
                    goals.pace_series, picked, ctx.filters.as_of, pipeline=f.pipeline
                )
                widgets.chart(
                    figures.pace_line(
                        series,
                        float(row["target_value"]),
                        amount=metric.partition(":")[0] in figures.AMOUNT_METRICS,
                        currency=currency,
                        title=_("{name}: actual against the pace line").format(name=names[picked]),
                    ),
                    key="goals_pace",
                    name="pace-line",
                )
        with st.container(border=True):
            st.subheader(_("Targets"), anchor=False)
            listed = figures.bullet_rows(shown, ROWS_SHOWN, behind_first)
            st.dataframe(
                figures.progress_table(listed, currency),
                hide_index=True,
                height="content",
                key="goals_progress",
            )
            if len(listed) < len(shown):
                st.caption(
                    _("{shown} of {total} targets listed; the CSV holds all of them.").format(
                        shown=formatting.count(len(listed)), total=formatting.count(len(shown))
                    )
                )
            widgets.download_csv(figures.progress_export(shown), "goals", key="goals_progress_csv")

with board_tab:
    board_metric = metric or "won_amount"
    board = ctx.query(goals.leaderboard, f, metric=board_metric)
    st.caption(
        _(
            "Reps ranked by attainment of their {metric} targets in the period; reps without "
            "a target follow, by their actual."
        ).format(metric=figures.metric_label(board_metric))
    )
    if board.empty:
        widgets.empty_state(
            _("No rep has a target or a result in this period."),
            _("Choose a longer period or clear the owner filter."),
        )
    else:
        st.dataframe(
            figures.leaderboard_table(board.head(ROWS_SHOWN), board_metric, currency),
            hide_index=True,
            height="content",
            key="goals_board",
        )
        if len(board) > ROWS_SHOWN:
            st.caption(
                _("The first {shown} of {total} reps; the CSV holds all of them.").format(
                    shown=formatting.count(ROWS_SHOWN), total=formatting.count(len(board))
                )
            )
        widgets.download_csv(board, "leaderboard", key="goals_board_csv")

with edit_tab:
    st.caption(
        _(
            "The targets of the period (and of the team or owner filtered on). Add a row at "
            "the bottom, change cells, or select rows and delete them; nothing is stored "
            "until you save. A new row gets its id when saved."
        )
    )
    stored = ctx.query(target_editing.targets_table, f)
    edited = st.data_editor(
        stored,
        key=KEY_EDITOR.format(version=ctx.store.version),
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        height=420,
        column_config={
            "target_id": st.column_config.TextColumn(_("Target id"), disabled=True),
            "scope": st.column_config.SelectboxColumn(
                _("Scope"), options=list(TARGET_SCOPES), required=True
            ),
            "scope_value": st.column_config.TextColumn(
                _("Team or owner"), help=_("Empty for a company target.")
            ),
            "metric": st.column_config.TextColumn(
                _("Metric"),
                help=_("One of {metrics}, or activities_completed:<type>.").format(
                    metrics=", ".join(TARGET_METRICS)
                ),
                required=True,
            ),
            "period_start": st.column_config.DateColumn(
                _("First day"), format="YYYY-MM-DD", required=True
            ),
            "period_end": st.column_config.DateColumn(
                _("Last day"), format="YYYY-MM-DD", required=True
            ),
            "target_value": st.column_config.NumberColumn(
                _("Target value"), required=True, min_value=0, format="localized"
            ),
        },
    )
    if st.button(_("Save targets"), key="goals_save", type="primary", icon=":material/save:"):
        try:
            saved = target_editing.save_targets(
                ctx.store.con, edited, shown=tuple(stored["target_id"])
            )
        except target_editing.TargetsRejected as rejected:
            st.error(
                plural(
                    len(rejected.problems),
                    "{n} problem found; nothing was saved.",
                    "{n} problems found; nothing was saved.",
                ).format(n=formatting.count(len(rejected.problems))),
                icon=":material/error:",
            )
            st.dataframe(
                figures.problems_table(rejected.problems), hide_index=True, key="goals_problems"
            )
        except AnalyticsError as error:
            show_error(error)
        else:
            ctx.store.changed()
            st.session_state[KEY_SAVED] = _(
                "Saved: {inserted} added, {updated} changed, {deleted} deleted."
            ).format(inserted=saved.inserted, updated=saved.updated, deleted=saved.deleted)
            st.rerun()

with import_tab:
    st.caption(
        _(
            "A CSV file of targets goes through the same importer as the command line "
            "(python -m analytics import --kind targets): every problem is listed before "
            "anything is written. Rows with a known id replace that target; others are added."
        )
    )
    upload = st.file_uploader(_("Targets file (CSV)"), type=["csv"], key=KEY_UPLOAD)
    if upload is not None:
        # The importer reads files by path, and names problems by the file's own name.
        with tempfile.TemporaryDirectory(prefix="targets-") as folder:
            path = Path(folder) / Path(upload.name).name
            path.write_bytes(upload.getvalue())
            try:
                checked = importer.import_files(ctx.store.con, [path], kind="targets", dry_run=True)
            except ImportRejected as rejected:
                st.error(
                    plural(
                        len(rejected.problems),
                        "{n} problem found; nothing will be imported.",
                        "{n} problems found; nothing will be imported.",
                    ).format(n=formatting.count(len(rejected.problems))),
                    icon=":material/error:",
                )
                st.dataframe(
                    figures.problems_table(rejected.problems),
                    hide_index=True,
                    key="goals_import_problems",
                )
            except AnalyticsError as error:
                show_error(error)
            else:
                report = checked.files[0]
                st.success(
                    plural(
                        report.rows,
                        "{rows} row checked, no problem found.",
                        "{rows} rows checked, no problem found.",
                    ).format(rows=report.rows),
                    icon=":material/task_alt:",
                )
                if checked.notes:
                    st.markdown(f"**{_('Data-quality notes')}**")
                    widgets.table(
                        messages.translated(import_review.notes_frame(checked.notes)),
                        key="goals_import_notes",
                        name="target-import-notes",
                    )
                if st.button(_("Import targets"), key="goals_import", type="primary"):
                    try:
                        result = importer.import_files(ctx.store.con, [path], kind="targets")
                    except AnalyticsError as error:
                        show_error(error)
                    else:
                        ctx.store.changed()
                        st.session_state[KEY_SAVED] = _(
                            "Imported: {inserted} added, {updated} changed."
                        ).format(
                            inserted=result.changes.get("targets_inserted", 0),
                            updated=result.changes.get("targets_updated", 0),
                        )
                        st.rerun()
