"""The report's charts as PNG bytes (matplotlib, Agg backend), with a CJK font so Chinese
labels render. The font is Noto Sans CJK (Debian's fonts-noto-cjk, installed by
scripts/setup.sh), found through matplotlib's font manager; without it the charts still render
and `cjk_font_warning()` says why Chinese may show as boxes."""

from __future__ import annotations

import datetime as dt
import io
from functools import cache
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans SC", "Source Han Sans SC")
CJK_FILES = ("NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular.otf", "NotoSansSC-Regular.otf")


@cache
def cjk_font() -> str | None:
    """The family name of an installed CJK font, or None."""
    names = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in names:
            return family
    for path in font_manager.findSystemFonts():
        if path.rsplit("/", 1)[-1] in CJK_FILES:
            font_manager.fontManager.addfont(path)
            return str(font_manager.FontProperties(fname=path).get_name())
    return None


def cjk_font_warning() -> str:
    """'' when a CJK font is available, else a warning for the report."""
    if cjk_font() is not None:
        return ""
    return (
        "No CJK font found (install fonts-noto-cjk, see scripts/setup.sh): Chinese text in the "
        "charts will not render."
    )


def _figure(title: str) -> tuple[Figure, Any]:
    family = cjk_font()
    plt.rcParams["font.family"] = [family, "DejaVu Sans"] if family else ["DejaVu Sans"]
    plt.rcParams["axes.unicode_minus"] = False
    fig = Figure(figsize=(7.5, 3.6), dpi=110)
    ax = fig.add_subplot()
    ax.set_title(title)
    ax.grid(axis="y", alpha=0.3)
    return fig, ax


def _png(fig: Figure) -> bytes:
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def _month_start(key: str) -> dt.date:
    year, month = key.split("-")
    return dt.date(int(year), int(month), 1)


def monthly_chart(
    title: str,
    by_month: dict[str, int],
    *,
    closures: list[dict[str, Any]] = (),  # type: ignore[assignment]
    modes: list[dict[str, Any]] = (),  # type: ignore[assignment]
    closure_label: str = "",
    mode_label: str = "",
    color: str = "#3a6ea5",
) -> bytes:
    """Bars per month; closures shaded grey and closed-stack (or other special) service
    periods shaded amber, spanning their exact dates."""
    fig, ax = _figure(title)
    months = [_month_start(k) for k in by_month]
    ax.bar(months, list(by_month.values()), width=20, align="edge", color=color)
    for i, span in enumerate(closures):
        ax.axvspan(
            dt.date.fromisoformat(span["start"]),
            dt.date.fromisoformat(span["end"]) + dt.timedelta(days=1),
            color="grey",
            alpha=0.3,
            label=closure_label if i == 0 else None,
        )
    for i, span in enumerate(modes):
        ax.axvspan(
            dt.date.fromisoformat(span["start"]),
            dt.date.fromisoformat(span["end"]) + dt.timedelta(days=1),
            color="orange",
            alpha=0.25,
            label=mode_label if i == 0 else None,
        )
    if months:
        # the year's months only: no tick for the month after the last bar
        last = months[-1]
        after = dt.date(last.year + (last.month == 12), last.month % 12 + 1, 1)
        ax.set_xlim(months[0] - dt.timedelta(days=5), after)
        ax.set_xticks(months)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%m"))
    if closures or modes:
        ax.legend(loc="upper right", fontsize=8)
    return _png(fig)


def bar_chart(title: str, values: dict[str, int], *, color: str = "#5a9e6f") -> bytes:
    """Horizontal bars, largest first (additions by source, events by kind)."""
    fig, ax = _figure(title)
    items = sorted(values.items(), key=lambda kv: kv[1])
    labels = [str(k) for k, _v in items]
    ax.barh(labels, [v for _k, v in items], color=color)
    for y, (_k, v) in enumerate(items):
        ax.text(v, y, f" {v}", va="center", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    return _png(fig)
