"""Data: what the database holds and whether it can be trusted; import files after checking them;
declare pipelines; restore the sample data."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

import pandas as pd
import streamlit as st

from analytics import import_review, pipeline_editing
from analytics.errors import MappingError
from analytics.import_review import FileColumns, FileOptions
from analytics.mapping import Mapping
from analytics.presets import PRESET_NAMES, PRESETS
from analytics.quality import QualityCount, quality_counts
from analytics.schema import IMPORTABLE
from analytics.status import (
    FIDELITY_LABELS,
    TableStatus,
    history_fidelity,
    pipelines,
    table_sizes,
)
from pages.shared import formatting, messages, widgets
from pages.shared.layout import PageContext, page_setup, show_error
from pages.shared.locale import _, plural

TITLE = "Data"

# The tables shown as tiles, with the name people read.
TILES = {
    "deals": "Deals",
    "stage_events": "Stage events",
    "activities": "Activities",
    "leads": "Leads",
    "organizations": "Organizations",
    "contacts": "Contacts",
    "targets": "Targets",
}

TABLE_LABELS = {
    **TILES,
    "pipelines_stages": "Pipeline stages",
    "exchange_rates": "Exchange rates",
    "snapshots": "Snapshots",
    "deal_changes": "Deal changes",
}

# What each kind of file holds, for the kind picker of an uploaded file.
KIND_LABELS = {
    "pipelines": "Pipelines and stages",
    "organizations": "Organizations",
    "contacts": "Contacts",
    "leads": "Leads",
    "deals": "Deals",
    "stage_events": "Stage history",
    "activities": "Activities",
    "targets": "Targets",
    "exchange_rates": "Exchange rates",
}

UPLOAD_TYPES = ["csv", "tsv", "txt", "xlsx", "parquet"]
DATE_ORDERS = {None: "Detect from the values", "dmy": "Day first (31/12/2025)",
               "mdy": "Month first (12/31/2025)"}  # fmt: skip

# Session-state keys of the page. Widgets whose content a write replaces carry the number of
# writes made from this session in their key, so that they start afresh after each write.
KEY_TAB = "data_tab"
# Shown translated; a link may name a tab in either language.
TABS = ("What is loaded", "Data quality", "Import files", "Pipelines", "Sample data")
KEY_WRITES = "data_writes"
KEY_DONE = "data_done"
KEY_UPLOAD_DIR = "data_upload_dir"


def tables_frame(tables: tuple[TableStatus, ...]) -> pd.DataFrame:
    """Return one row per table: its name, rows and date range (a dash where there is none)."""
    return pd.DataFrame(
        [
            (_(TABLE_LABELS.get(t.name, t.name)), t.rows, formatting.day(t.first),
             formatting.day(t.last))
            for t in tables
        ],
        columns=[_("Table"), _("Rows"), _("First date"), _("Last date")],
    )  # fmt: skip


def pipelines_frame(stages: dict[str, tuple[str, ...]]) -> pd.DataFrame:
    """Return one row per pipeline: its name, number of stages and stages in order."""
    return pd.DataFrame(
        [(name, len(names), " → ".join(names)) for name, names in stages.items()],
        columns=[_("Pipeline"), _("Stages"), _("Stages in order")],
    )


def fidelity_frame(fidelity: dict[str, int]) -> pd.DataFrame:
    """Return one row per source of stage history: deals and their share of all deals."""
    total = sum(fidelity.values())
    return pd.DataFrame(
        [
            (_(FIDELITY_LABELS[source]), n, formatting.share(n, total))
            for source, n in fidelity.items()
        ],
        columns=[_("Source of the stage history"), _("Deals"), _("Share")],
    )


def quality_frame(checks: tuple[QualityCount, ...]) -> pd.DataFrame:
    """Return one row per data-quality check: what it looks for and how many records fail it."""
    return pd.DataFrame(
        [(_(q.label), q.count) for q in checks], columns=[_("Check"), _("Records to look at")]
    )


def fidelity_sentence(fidelity: dict[str, int]) -> str:
    """Return where the stage history comes from, in one sentence of the interface language."""
    present = [k for k, n in fidelity.items() if n]
    if not present:
        return _("No deals loaded.")
    if len(present) == 1:
        return _("Stage history: {source}.").format(source=_(FIDELITY_LABELS[present[0]]))
    return _("Stage history from several sources; the table gives each one's share.")


def loaded_section(ctx: PageContext) -> None:
    """Draw what the database holds: tiles, tables with their dates, pipelines."""
    tables = ctx.query(table_sizes)
    rows = {t.name: t.rows for t in tables}
    deals = next(t for t in tables if t.name == "deals")
    with st.container(horizontal=True, key="home_tiles"):
        for table, label in TILES.items():
            st.metric(_(label), formatting.count(rows[table]), border=True, width="content")
    st.markdown(f"**{_('Deals created')}:** {formatting.day_range(deals.first, deals.last)}")
    st.caption(
        _("Database file: {path}").format(path=formatting.escape_markdown(str(ctx.store.path)))
    )
    left, right = st.columns(2, gap="large")
    with left, st.container(key="home_tables"):
        st.subheader(_("Tables"), anchor=False)
        widgets.table(
            tables_frame(tables),
            key="data_tables",
            name="tables",
            column_config={_("Rows"): st.column_config.NumberColumn(format="localized")},
        )
    with right, st.container(key="home_pipelines"):
        st.subheader(_("Pipelines and their stages"), anchor=False)
        stages = ctx.query(pipelines)
        if stages:
            widgets.table(
                pipelines_frame(stages),
                key="data_pipelines",
                name="pipelines",
                column_config={_("Stages"): st.column_config.NumberColumn(width="small")},
            )
        else:
            st.info(_("No pipelines defined yet. Declare them in the Pipelines tab or import a "
                      "pipelines file."))  # fmt: skip


def quality_section(ctx: PageContext) -> None:
    """Draw whether the data can be trusted: where the stage history comes from, quality checks."""
    st.caption(
        _("These checks read every deal, stage event and activity; on a large store the first "
          "look after an import takes a while.")
    )  # fmt: skip
    left, right = st.columns([2, 3], gap="large")
    with left, st.container(key="home_fidelity"):
        st.subheader(_("Stage history"), anchor=False)
        fidelity = ctx.query(history_fidelity)
        st.text(fidelity_sentence(fidelity))
        widgets.table(
            fidelity_frame(fidelity),
            key="data_fidelity",
            name="stage-history",
            column_config={_("Deals"): st.column_config.NumberColumn(format="localized")},
        )
    with right, st.container(key="home_quality"):
        st.subheader(_("Data quality"), anchor=False)
        checks = ctx.query(quality_counts)
        flagged = sum(1 for q in checks if q.count)
        st.caption(
            # The number of checks is fixed and above one: the verb follows the flagged ones.
            plural(
                flagged,
                "{flagged} of {checks} checks finds records to look at.",
                "{flagged} of {checks} checks find records to look at.",
            ).format(flagged=formatting.count(flagged), checks=formatting.count(len(checks)))
        )
        widgets.table(
            quality_frame(checks),
            key="data_quality",
            name="data-quality",
            column_config={
                _("Check"): st.column_config.TextColumn(width="large"),
                _("Records to look at"): st.column_config.NumberColumn(format="localized"),
            },
        )


def saved_upload(upload) -> str:
    """Write an uploaded file under this session's upload folder, by its original name; return it.

    Each upload gets a folder of its own, so two files of one name never overwrite each other
    and the importer reports every file by the name the user gave it.
    """
    if KEY_UPLOAD_DIR not in st.session_state:
        st.session_state[KEY_UPLOAD_DIR] = tempfile.mkdtemp(prefix="pipeline-upload-")
    path = Path(st.session_state[KEY_UPLOAD_DIR]) / upload.file_id / Path(upload.name).name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(upload.getbuffer())
    return str(path)


def kind_label(kind: str) -> str:
    """Return the name people read for a kind of file."""
    return _(KIND_LABELS[kind])


def file_section(columns: FileColumns, fid: str) -> tuple[FileOptions, str]:
    """Draw one uploaded file: what it holds, its kind, preset and mapping, each changeable.

    Return the options chosen for it and the kind it will be imported as.
    """
    st.subheader(formatting.escape_markdown(columns.file), anchor=False)
    if not columns.columns:
        st.warning(_("This file cannot be read; the check below says why."))
        return FileOptions(), "deals"
    # Each count has its own singular ("1 data row, 1 column"): they are written apart.
    st.caption(
        _("{rows}, {columns}, {encoding}").format(
            rows=plural(columns.rows, "{n} data row", "{n} data rows").format(
                n=formatting.count(columns.rows)
            ),
            columns=plural(len(columns.columns), "{n} column", "{n} columns").format(
                n=formatting.count(len(columns.columns))
            ),
            encoding=columns.encoding,
        )
    )
    auto = import_review.file_mapping(columns.columns, FileOptions())
    left, right = st.columns(2)
    with left:
        kind = st.selectbox(
            _("Kind of records"),
            [None, *IMPORTABLE],
            format_func=lambda k: (
                _("{kind} (detected)").format(kind=kind_label(auto.kind))
                if k is None
                else kind_label(k)
            ),
            key=f"data_kind_{fid}",
        )
    with right:
        preset = st.selectbox(
            _("Exported from"),
            ["auto", *PRESET_NAMES],
            format_func=lambda p: (
                _("{crm} (detected)").format(crm=_(auto.preset.title))
                if p == "auto"
                else _(PRESETS[p].title)
            ),
            key=f"data_preset_{fid}",
        )
    try:
        detected = import_review.file_mapping(columns.columns, FileOptions(kind, preset))
    except MappingError as error:
        show_error(error)
        return FileOptions(kind, preset), kind or auto.kind
    st.caption(
        _("Where each column of the dashboard comes from. Pick another column of the file, "
          "or type a value every row gets (such as won for a file of won deals).")
    )  # fmt: skip
    edited = st.data_editor(
        import_review.mapping_table(detected),
        key=f"data_map_{fid}_{kind}_{preset}_{st.session_state.get(KEY_WRITES, 0)}",
        hide_index=True,
        placeholder="—",
        disabled=["Column", "Required"],
        column_config={
            "Column": st.column_config.TextColumn(_("Column")),
            "Required": st.column_config.CheckboxColumn(_("Required"), width="small"),
            "From the file": st.column_config.SelectboxColumn(
                _("From the file"), options=list(columns.columns)
            ),
            "Fixed value": st.column_config.TextColumn(_("Fixed value")),
        },
    )
    options = import_review.chosen_options(detected, edited, kind, preset)
    try:
        final = import_review.file_mapping(columns.columns, options)
    except MappingError as error:
        show_error(error)
        return options, detected.kind
    if final.unmapped:
        fate = (
            _("Columns kept as custom columns (filters can use them)")
            if final.kind == "deals"
            else _("Columns not imported")
        )
        st.caption(f"{fate}: " + formatting.escape_markdown(", ".join(final.unmapped)))
    values = values_section(final, f"{fid}_{kind}_{preset}")
    return replace(options, values=values), final.kind


def values_section(mapping: Mapping, fid: str) -> tuple[tuple[str, str, str], ...]:
    """Draw the table of values to replace in one file; return its complete rows."""
    with st.expander(_("Replace values"), icon=":material/find_replace:"):
        st.caption(
            _("Give a value of the file its meaning: a status in your CRM's own words, a stage "
              "renamed since, or a marker such as n/a for no value (leave Store instead empty). "
              "Values are compared in any case; add one row per value.")
        )  # fmt: skip
        edited = st.data_editor(
            pd.DataFrame(columns=list(import_review.VALUE_COLUMNS), dtype="string"),
            key=f"data_values_{fid}_{st.session_state.get(KEY_WRITES, 0)}",
            num_rows="dynamic",
            hide_index=True,
            column_config={
                "Column": st.column_config.SelectboxColumn(
                    _("Column"), options=sorted(mapping.columns), required=True
                ),
                "Value in the file": st.column_config.TextColumn(_("Value in the file")),
                "Store instead": st.column_config.TextColumn(_("Store instead")),
            },
        )
    return import_review.chosen_values(edited)


def check_section(review: import_review.Review) -> None:
    """Draw the dry run's outcome: every problem, the data-quality notes, the values replaced."""
    st.subheader(_("Check before importing"), anchor=False)
    if review.accepted:
        st.success(
            plural(
                len(review.reports),
                "No problems found: the file can be imported.",
                "No problems found: the files can be imported.",
            )
        )
    else:
        st.error(
            plural(
                len(review.problems),
                "{n} problem found. Nothing is written until it is fixed, in the file or in the "
                "mapping above.",
                "{n} problems found. Nothing is written until they are fixed, in the files or in "
                "the mapping above.",
            ).format(n=formatting.count(len(review.problems)))
        )
        with st.container(key="data_problems"):
            widgets.table(
                messages.translated(review.problems),
                key="data_problems",
                name="import-problems",
                column_config={_("Problem"): st.column_config.TextColumn(width="large")},
            )
    for report in review.reports.values():
        if report.skipped and not report.notes:
            st.info(
                _("{file} was imported before with the same content and options; it is "
                  "skipped.").format(file=formatting.escape_markdown(report.file))
            )  # fmt: skip
    if not review.notes.empty:
        st.markdown(f"**{_('Data-quality notes')}**")
        st.caption(_("Rows imported and counted; the Data quality tab keeps the totals."))
        with st.container(key="data_notes"):
            widgets.table(messages.translated(review.notes), key="data_notes", name="import-notes")
    replaced = import_review.replaced_frame(review)
    if not replaced.empty:
        st.markdown(f"**{_('Values replaced')}**")
        st.caption(
            _("The rows each value was found in; a value found in no row is probably mistyped.")
        )
        with st.container(key="data_replaced"):
            widgets.table(replaced.rename(columns=_), key="data_replaced", name="import-replaced")


def import_section(ctx: PageContext) -> None:
    """Draw the import: upload, per-file mapping, the dry run's problems, and Confirm."""
    writes = st.session_state.get(KEY_WRITES, 0)
    uploads = st.file_uploader(
        _("Files exported from your CRM (CSV, Excel or Parquet)"),
        type=UPLOAD_TYPES,
        accept_multiple_files=True,
        key=f"data_upload_{writes}",
        help=_("Deals, stage history, activities, leads, organizations, contacts, targets, "
               "pipelines and exchange rates; the kind of each file is detected from its "
               "columns."),
    )  # fmt: skip
    if not uploads:
        st.info(
            _("Add one or more files. Every file is checked before anything is written, and "
              "the import is all or nothing."),
            icon=":material/upload_file:",
        )  # fmt: skip
        return
    date_order = st.selectbox(
        _("Dates written as 01/02/2025"),
        list(DATE_ORDERS),
        format_func=lambda k: _(DATE_ORDERS[k]),
        key="data_date_order",
    )
    chosen = []
    for upload in uploads:
        path = saved_upload(upload)
        columns = ctx.query(import_review.file_columns, path)
        with st.container(border=True):
            options, kind = file_section(columns, upload.file_id)
        chosen.append((path, options, kind))
    groups = import_review.import_groups(chosen)
    review = ctx.query(import_review.review, groups, date_order)
    check_section(review)
    if len(groups) > 1:
        st.caption(
            _("Files with mappings of their own are imported one group after another; each "
              "group is all or nothing.")
        )  # fmt: skip
    if not st.button(
        _("Import the file")
        if len(uploads) == 1
        else _("Import {n} files").format(n=formatting.count(len(uploads))),
        type="primary",
        disabled=not review.accepted,
        key="data_confirm",
        icon=":material/database_upload:",
    ):
        return
    bar = st.progress(0.0, text=_("Importing…"))
    try:
        changes = import_review.run_import(
            ctx.store.con,
            groups,
            date_order,
            progress=lambda phase, share: bar.progress(
                min(share, 1.0), text=_("Importing… {step}").format(step=phase)
            ),
        )
    except import_review.ImportStopped as stopped:
        if stopped.imported:
            ctx.store.changed()
        show_error(stopped)
        widgets.table(
            messages.translated(import_review.problems_frame(stopped.problems)),
            key="data_stopped",
            name="import-problems",
        )
        return
    ctx.store.changed()
    # The uploaded copies are in the store now; the uploader starts empty after the rerun.
    shutil.rmtree(st.session_state.pop(KEY_UPLOAD_DIR), ignore_errors=True)
    finished(
        plural(
            sum(changes.values()),
            "Import done: {rows} row added or changed.",
            "Import done: {rows} rows added or changed.",
        ).format(rows=formatting.count(sum(changes.values())))
    )


def finished(message: str) -> None:
    """After a write: keep the message for the next run, reset the widgets it replaced, rerun."""
    st.session_state[KEY_DONE] = message
    st.session_state[KEY_WRITES] = st.session_state.get(KEY_WRITES, 0) + 1
    st.rerun()


def pipelines_section(ctx: PageContext) -> None:
    """Draw the editor of every pipeline's stages, what is wrong with the edit, and Save."""
    st.caption(
        _("One row per open stage. Position orders the stages of a pipeline (1 is the first); "
          "Won and Lost follow every pipeline by themselves. The probability, typed from 0 to 1 "
          "(0.3 shows as 30%), weights the forecast; after the rotting days a deal sitting in "
          "the stage counts as stalled. "
          "Add a row at the bottom, delete one by selecting it.")
    )  # fmt: skip
    stages = ctx.query(pipeline_editing.stage_rows)
    edited = st.data_editor(
        stages,
        key=f"data_stages_{st.session_state.get(KEY_WRITES, 0)}",
        num_rows="dynamic",
        hide_index=True,
        placeholder="—",
        column_config={
            "pipeline": st.column_config.TextColumn(_("Pipeline"), required=True),
            "stage": st.column_config.TextColumn(_("Stage"), required=True),
            "position": st.column_config.NumberColumn(_("Position"), min_value=1, step=1),
            "probability": st.column_config.NumberColumn(
                _("Probability"), min_value=0.0, max_value=1.0, step=0.05, format="percent"
            ),
            "rotting_days": st.column_config.NumberColumn(_("Rotting days"), min_value=0, step=1),
        },
    )
    changed = not edited.reset_index(drop=True).equals(stages.reset_index(drop=True))
    problems = ctx.query(pipeline_editing.stage_problems, edited) if changed else []
    if problems:
        st.error(
            plural(
                len(problems),
                "{n} problem; nothing is saved until it is fixed.",
                "{n} problems; nothing is saved until they are fixed.",
            ).format(n=formatting.count(len(problems)))
        )
        with st.container(key="data_stage_problems"):
            widgets.table(
                messages.translated(pd.DataFrame({"Problem": problems})),
                key="data_stage_problems",
                name="pipeline-problems",
            )
    if not st.button(
        _("Save the pipelines"),
        type="primary",
        disabled=not changed or bool(problems),
        key="data_stages_save",
        icon=":material/save:",
    ):
        return
    try:
        written = pipeline_editing.save_stages(ctx.store.con, edited)
    except pipeline_editing.StagesRejected as rejected:
        show_error(rejected)
        return
    ctx.store.changed()
    finished(
        plural(
            written,
            "Saved {n} stage; every page now uses it.",
            "Saved {n} stages; every page now uses them.",
        ).format(n=formatting.count(written))
    )


def sample_section(ctx: PageContext) -> None:
    """Draw the restore of the bundled sample data, behind a confirmation."""
    st.markdown(
        _("The bundled sample data: deals with their stage history, activities, leads, "
          "organizations, contacts, targets and exchange rates. Use it to try the dashboard, "
          "or to start again after an import that went wrong.")
    )  # fmt: skip
    st.warning(
        _("Restoring replaces everything the database holds now, imports and edits included."),
        icon=":material/warning:",
    )
    sure = st.checkbox(
        _("Replace everything with the sample data"),
        key=f"data_sample_sure_{st.session_state.get(KEY_WRITES, 0)}",
    )
    if not st.button(
        _("Restore the sample data"),
        type="primary",
        disabled=not sure,
        key="data_sample_restore",
        icon=":material/restore:",
    ):
        return
    from analytics.sample import load_sample

    with st.spinner(_("Loading the sample data…")):
        load_sample(ctx.store.con)
    ctx.store.changed()
    finished(_("The sample data is loaded; what the database held before is replaced."))


ctx = page_setup(
    TITLE,
    "Import and check: what the database holds, new files checked before anything is "
    "written, pipelines and the sample data. Nothing here follows the filters.",
    labelled={KEY_TAB: TABS},
)
if done := st.session_state.pop(KEY_DONE, None):
    st.success(done, icon=":material/check_circle:")
loaded, checks, importing, editing, sample = widgets.tabs(
    [_(label) for label in TABS],
    key=KEY_TAB,
    bind="query-params",
)
# Only the open tab runs: the others cost nothing on a large store.
if loaded.open:
    with loaded:
        loaded_section(ctx)
if checks.open:
    with checks:
        quality_section(ctx)
if importing.open:
    with importing:
        import_section(ctx)
if editing.open:
    with editing:
        pipelines_section(ctx)
if sample.open:
    with sample:
        sample_section(ctx)
