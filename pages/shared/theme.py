"""One Plotly look for every chart: large type for a projector, a fixed palette (no Streamlit).

Figure builders start from `base_figure()` or pass `template=TEMPLATE`; colours that mean
something (won, lost, open, target) are the same on every page.
"""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

FONT = "Inter, 'Noto Sans JP', 'Hiragino Sans', 'Segoe UI', sans-serif"

WON = "#2E7D32"
LOST = "#C62828"
OPEN = "#1565C0"
TARGET = "#6D4C41"
NEUTRAL = "#90A4AE"
HIGHLIGHT = "#F9A825"
# Categorical colours, distinguishable for the common colour-vision deficiencies (Okabe–Ito).
PALETTE = (
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
)  # fmt: skip
# Sequential scale of heatmaps: white (nothing) to deep blue (most).
SEQUENTIAL = ((0.0, "#F7FBFF"), (0.5, "#6BAED6"), (1.0, "#08306B"))

TEMPLATE = go.layout.Template(
    layout=go.Layout(
        font=dict(family=FONT, size=15, color="#263238"),
        title=dict(font=dict(size=18), x=0, xanchor="left"),
        colorway=PALETTE,
        paper_bgcolor="white",
        plot_bgcolor="white",
        hoverlabel=dict(font=dict(family=FONT, size=14)),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0),
        margin=dict(l=10, r=10, t=50, b=10),
        xaxis=dict(gridcolor="#ECEFF1", zerolinecolor="#B0BEC5", automargin=True),
        yaxis=dict(gridcolor="#ECEFF1", zerolinecolor="#B0BEC5", automargin=True),
        separators=".,",
    )
)
pio.templates["pipeline"] = TEMPLATE


def base_figure(title: str | None = None, height: int = 420) -> go.Figure:
    """Return an empty figure in the dashboard's look."""
    fig = go.Figure(layout=dict(template=TEMPLATE, height=height))
    if title:
        fig.update_layout(title_text=title)
    return fig
