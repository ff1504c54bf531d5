"""Deals: the records behind every chart, and one deal's timeline."""

from __future__ import annotations

import streamlit as st

from analytics import deal_list as dl
from analytics.derived import reporting_currency
from analytics.durations import UnknownDeal, deal_visits
from pages.figures import deals as figures
from pages.shared import export, formatting, widgets
from pages.shared.layout import page_setup
from pages.shared.locale import _, language, plural
from pages.shared.sticky import sticky

TITLE = "Deals"
PAGE_SIZES = (25, 50, 100, 250)
KEY_SEARCH, KEY_SCOPE, KEY_STATUS, KEY_STAGE = (
    "deals_search", "deals_scope", "deals_status", "deals_stage",
)  # fmt: skip
KEY_SORT, KEY_ORDER, KEY_SIZE, KEY_PAGE = "deals_sort", "deals_order", "deals_size", "deals_page"
KEY_SEEN = "deals_list_seen"  # the list's conditions when the page number was last set
DESCENDING, ASCENDING = "desc", "asc"


def date_format() -> str:
    """Return the momentJS date format of table columns in the interface language."""
    return "YYYY/MM/DD" if language() == "ja" else "MMM D, YYYY"


def close_timeline() -> None:
    """Forget the deal whose timeline is open (the ?deal= of the URL)."""
    del st.query_params[widgets.DEAL_PARAM]


def open_deal(deal_id: str) -> None:
    """Open deal_id's timeline: it goes in the URL, so a copied link opens it too."""
    st.query_params[widgets.DEAL_PARAM] = deal_id


ctx = page_setup(
    TITLE,
    "The records behind every chart: find deals with the filters and the search, then open "
    "one deal's timeline.",
    labelled={
        KEY_SCOPE: figures.SCOPE_LABELS.values(),
        KEY_STATUS: figures.STATUS_LABELS.values(),
        KEY_SORT: figures.SORT_LABELS.values(),
        # Stages are data; only the outcomes have a label in each language.
        KEY_STAGE: ("Won", "Lost"),
    },
)
f = ctx.filters.metric_filters
currency = ctx.query(reporting_currency)
as_of = ctx.filters.as_of
dates = date_format()

# One deal's timeline, when one is open (?deal=ID: from another page's drill-down, or a row).
deal_id = st.query_params.get(widgets.DEAL_PARAM)
if deal_id:
    with st.container(border=True, key="deals_timeline"):
        try:
            record = ctx.query(dl.deal_record, deal_id).iloc[0]
            visits = ctx.query(deal_visits, deal_id, as_of)
        except UnknownDeal:
            st.warning(
                _("There is no deal with the ID {deal_id} in this database.").format(
                    deal_id=formatting.escape_markdown(deal_id)
                ),
                icon=":material/search_off:",
            )
            st.button(_("Close"), key="deals_close_unknown", on_click=close_timeline)
        else:
            activities = ctx.query(dl.deal_activities, deal_id, as_of)
            changes = ctx.query(dl.deal_field_changes, deal_id, as_of)
            head, close = st.columns([5, 1], vertical_alignment="center")
            with head:
                st.subheader(_("Timeline of one deal"), anchor=False)
                # The name comes from the data: shown as text, never as markdown.
                st.text(f"{record['name'] or formatting.MISSING} · {record['deal_id']}")
            with close:
                st.button(
                    _("Close"),
                    key="deals_close",
                    on_click=close_timeline,
                    icon=":material/close:",
                )
            tiles = st.columns(4)
            with tiles[0]:
                # Won and Lost say the status; an open deal's stage says it is open.
                widgets.kpi(_("Stage"), figures.stage_name(record["stage"]))
            with tiles[1]:
                widgets.kpi(
                    formatting.amount_header(currency),
                    formatting.money(record["amount_rep"], currency),
                    help=_("In the deal's own currency: {amount}").format(
                        amount=formatting.money(
                            record["amount"], figures.text_of(record["currency"])
                        )
                    ),
                )
            with tiles[2]:
                widgets.kpi(_("Created"), formatting.day(figures.day_of(record["created_at"])))
            with tiles[3]:
                closed = figures.day_of(record["closed_at"])
                if record["status"] in ("won", "lost") and closed is not None:
                    widgets.kpi(_("Closed"), formatting.day(closed))
                else:
                    expected = figures.day_of(record["expected_close_date"])
                    widgets.kpi(_("Expected close"), formatting.day(expected))
            widgets.chart(
                figures.timeline(
                    visits,
                    activities,
                    as_of=as_of,
                    closed_at=record["closed_at"],
                    status=record["status"],
                ),
                key="deals_timeline_chart",
                name=f"deal {deal_id}",
            )
            st.caption(
                _(
                    "Bars: the stage visits up to the as-of date (the current one highlighted). "
                    "Points: activities by type (filled: completed, open circle: planned, "
                    "cross: overdue). On an open deal the dotted line is the end of the as-of date."
                )
            )
            fields_col, activities_col = st.columns([2, 3], gap="large")
            with fields_col:
                st.markdown(f"**{_('Fields')}**")
                widgets.table(
                    figures.record_table(record, currency),
                    key="deals_fields",
                    name=f"deal {deal_id} fields",
                )
                st.markdown(f"**{_('Amount and close-date changes')}**")
                if changes.empty:
                    st.caption(_("No recorded change of the amount or the expected close date."))
                else:
                    widgets.table(
                        figures.changes_table(changes, figures.text_of(record["currency"])),
                        key="deals_changes",
                        name=f"deal {deal_id} changes",
                        column_config={_("When"): st.column_config.DatetimeColumn(format=dates)},
                    )
            with activities_col:
                st.markdown(f"**{_('Activities')}**")
                if activities.empty:
                    st.caption(_("No activity is linked to this deal."))
                else:
                    widgets.table(
                        figures.activity_table(activities),
                        key="deals_activities",
                        name=f"deal {deal_id} activities",
                        column_config={_("Date"): st.column_config.DatetimeColumn(format=dates)},
                        height=min(420, 38 + 35 * len(activities)),
                    )

# The filterable, sortable list: SQL filters, sorts and pages it; the page shows one page.
with st.container(border=True, key="deals_list"):
    st.subheader(_("Deal list"), anchor=False)
    stage_options = ctx.query(dl.list_stages, f)
    row1 = st.columns([3, 2, 2, 2])
    with row1[0]:
        search = st.text_input(
            _("Search"),
            key=KEY_SEARCH,
            bind="query-params",
            placeholder=_("Part of a deal's name or ID"),
        ).strip()
    with row1[1]:
        scope = st.selectbox(
            _("Which deals"),
            dl.SCOPES,
            format_func=lambda s: _(figures.SCOPE_LABELS[s]),
            **sticky(KEY_SCOPE, dl.SCOPES),
            help=_(
                "Which deals the period selects. Every choice leaves out deals created after "
                "the as-of date, and shows each deal as it stood at the end of that day."
            ),
        )
    with row1[2]:
        statuses = st.multiselect(
            _("Status"),
            dl.STATUSES,
            format_func=figures.status_name,
            **sticky(KEY_STATUS, dl.STATUSES),
            placeholder=_("All"),
        )
    with row1[3]:
        stages = st.multiselect(
            _("Stage"),
            stage_options,
            format_func=figures.stage_name,
            **sticky(KEY_STAGE, stage_options),
            placeholder=_("All"),
        )
    conditions = dict(
        scope=scope or "active",
        search=search or None,
        statuses=tuple(statuses),
        stages=tuple(s for s in stages if s in stage_options),
    )
    summary = ctx.query(dl.deal_list_summary, f, **conditions).iloc[0]
    total = int(summary["deals"])
    row2 = st.columns([3, 3, 2, 2])
    with row2[0]:
        sort = st.selectbox(
            _("Sort by"),
            tuple(dl.SORT_KEYS),
            format_func=lambda k: _(figures.SORT_LABELS[k]),
            **sticky(KEY_SORT, tuple(dl.SORT_KEYS)),
        )
    with row2[1]:
        order = st.segmented_control(
            _("Order"),
            (DESCENDING, ASCENDING),
            default=DESCENDING,
            required=True,
            format_func=lambda o: _("Descending") if o == DESCENDING else _("Ascending"),
            key=KEY_ORDER,
        )
    with row2[2]:
        size = st.selectbox(_("Rows per page"), PAGE_SIZES, index=1, key=KEY_SIZE)
    pages = max(1, -(-total // size))
    # A new search, filter, sort or page size starts again at the first page.
    signature = (f, tuple(conditions.items()), sort, order, size)
    if st.session_state.get(KEY_SEEN) != signature:
        st.session_state[KEY_SEEN] = signature
        st.session_state[KEY_PAGE] = 1
    if st.session_state.get(KEY_PAGE, 1) > pages:
        st.session_state[KEY_PAGE] = pages
    with row2[3]:
        page = st.number_input(
            _("Page (of {pages})").format(pages=formatting.count(pages)),
            min_value=1,
            max_value=pages,
            step=1,
            key=KEY_PAGE,
        )

    if total == 0:
        widgets.empty_state(
            _("No deal matches these filters and this search."),
            _("Try another period, fewer filters, or a shorter search text."),
        )
    else:
        rows = ctx.query(
            dl.deal_list,
            f,
            **conditions,
            sort=sort or "amount",
            descending=order != ASCENDING,
            limit=size,
            offset=(int(page) - 1) * size,
        )
        first = (int(page) - 1) * size + 1
        if total <= size:
            shown_part = plural(total, "Showing **{total}** deal", "Showing all **{total}** deals")
        elif len(rows) == 1:
            shown_part = _("Showing deal **{first}** of **{total}**")
        else:
            shown_part = _("Showing deals **{first}–{last}** of **{total}**")
        summary_part = _("{open} open, {won} won, {lost} lost · total amount **{amount}**")
        st.markdown(
            " · ".join((shown_part, summary_part)).format(
                first=formatting.count(first),
                last=formatting.count(first + len(rows) - 1),
                total=formatting.count(total),
                open=formatting.count(int(summary["open"])),
                won=formatting.count(int(summary["won"])),
                lost=formatting.count(int(summary["lost"])),
                amount=formatting.escape_markdown(formatting.money(summary["amount"], currency)),
            )
        )
        shown = figures.list_table(rows, currency)
        event = st.dataframe(
            shown,
            hide_index=True,
            key="deals_list_table",
            on_select="rerun",
            selection_mode="single-row",
            height=min(38 + 35 * len(shown), 640),
            column_config={
                formatting.amount_header(currency): st.column_config.NumberColumn(
                    format="localized"
                ),
                _("Created"): st.column_config.DatetimeColumn(format=dates),
                _("Expected close"): st.column_config.DateColumn(format=dates),
                _("Closed"): st.column_config.DatetimeColumn(format=dates),
                _("Last activity"): st.column_config.DatetimeColumn(format=dates),
                _("Days in current stage"): st.column_config.NumberColumn(format="%d"),
            },
        )
        chosen = event.selection.rows if event else []
        left, right = st.columns([2, 3], vertical_alignment="center")
        with left:
            picked = shown.iloc[chosen[0]][_("Deal ID")] if chosen else None
            st.button(
                _("Open the selected deal's timeline"),
                key="deals_open",
                disabled=picked is None,
                icon=":material/timeline:",
                on_click=open_deal,
                args=(picked,),
                type="primary",
            )
        with right:
            cap = min(total, dl.MAX_ROWS)

            def list_csv() -> bytes:
                """Return the whole filtered list (up to MAX_ROWS deals) as CSV, when asked."""
                every = ctx.query(
                    dl.deal_list,
                    f,
                    **conditions,
                    sort=sort or "amount",
                    descending=order != ASCENDING,
                    limit=dl.MAX_ROWS,
                )
                return export.csv_bytes(figures.list_table(every, currency))

            st.download_button(
                plural(cap, "Download {n} deal as CSV", "Download all {n} deals as CSV").format(
                    n=formatting.count(cap)
                ),
                list_csv,
                file_name=export.file_name(
                    "deals", *(str(d) for d in (f.start, f.end) if d), f"as of {as_of}"
                ),
                mime="text/csv",
                key="deals_list_csv",
                icon=":material/download:",
                on_click="ignore",
            )
            if total > dl.MAX_ROWS:
                st.caption(
                    _("The download holds the first {cap} of {total} deals in this order.").format(
                        cap=formatting.count(dl.MAX_ROWS), total=formatting.count(total)
                    )
                )
