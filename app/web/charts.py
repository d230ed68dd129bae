"""Charts drawn on the server: a horizontal bar chart as inline SVG.

No script, no external service, no inline style (the site's CSP allows none): the
bars carry classes (``chart-bar--1``, ``chart-bar--2``, ...) that the site's
stylesheet colours. The SVG is an image with a title and a description that names
every number; pages show the same numbers as a table beside it (``BarChart.rows``).
Every text comes from the caller, so any page can reuse it.
"""

from dataclasses import dataclass

from markupsafe import Markup

WIDTH = 640
LABEL_WIDTH = 160  # the column of group labels on the left
VALUE_ROOM = 48  # room right of the longest bar for its number
BAR = 18
BAR_GAP = 4
GROUP_GAP = 14
LEGEND = 30
SWATCH = 12


@dataclass(frozen=True)
class Series:
    """One kind of count, one value per label."""

    name: str
    values: tuple[int, ...]


@dataclass(frozen=True)
class BarChart:
    title: str
    summary: str  # what the chart shows, in one sentence; the numbers are added
    labels: tuple[str, ...]
    series: tuple[Series, ...]
    label_heading: str = ""  # the table's heading of the labels' column

    def __post_init__(self):
        for series in self.series:
            if len(series.values) != len(self.labels):
                raise ValueError(f"{series.name}: one value per label")

    @property
    def rows(self) -> list[tuple[str, list[int]]]:
        """(label, the series' values) per label: the chart as a table."""
        return [
            (label, [series.values[n] for series in self.series])
            for n, label in enumerate(self.labels)
        ]

    @property
    def description(self) -> str:
        """The summary and every number, for those who do not see the bars."""
        parts = [
            f"{label}: "
            + ", ".join(f"{s.name} {v}" for s, v in zip(self.series, values, strict=True))
            for label, values in self.rows
        ]
        return " ".join([self.summary, *(f"{part}." for part in parts)]).strip()


def _height(chart: BarChart) -> int:
    group = len(chart.series) * (BAR + BAR_GAP) - BAR_GAP
    return LEGEND + len(chart.labels) * (group + GROUP_GAP)


def _legend(chart: BarChart) -> list[Markup]:
    parts, x = [], LABEL_WIDTH
    for n, series in enumerate(chart.series, start=1):
        parts.append(
            Markup(
                '<rect class="chart-bar chart-bar--{n}" x="{x}" y="8" width="{size}" '
                'height="{size}"></rect><text class="chart-legend" x="{text_x}" y="18">'
                "{name}</text>"
            ).format(n=n, x=x, size=SWATCH, text_x=x + SWATCH + 6, name=series.name)
        )
        x += SWATCH + 16 + 8 * len(series.name)
    return parts


def _bars(chart: BarChart) -> list[Markup]:
    top = max((v for s in chart.series for v in s.values), default=0) or 1
    span = WIDTH - LABEL_WIDTH - VALUE_ROOM
    group = len(chart.series) * (BAR + BAR_GAP) - BAR_GAP
    parts = []
    for n, (label, values) in enumerate(chart.rows):
        y = LEGEND + n * (group + GROUP_GAP)
        parts.append(
            Markup(
                '<text class="chart-label" x="{x}" y="{y:g}" text-anchor="end">{label}</text>'
            ).format(x=LABEL_WIDTH - 8, y=y + group / 2 + 5, label=label)
        )
        for k, value in enumerate(values, start=1):
            bar_y = y + (k - 1) * (BAR + BAR_GAP)
            width = round(span * value / top, 1)
            parts.append(
                Markup(
                    '<rect class="chart-bar chart-bar--{k}" x="{x}" y="{y}" width="{width:g}" '
                    'height="{height}"></rect>'
                    '<text class="chart-value" x="{text_x:g}" y="{text_y}">{value}</text>'
                ).format(
                    k=k,
                    x=LABEL_WIDTH,
                    y=bar_y,
                    width=width,
                    height=BAR,
                    text_x=LABEL_WIDTH + width + 6,
                    text_y=bar_y + BAR - 4,
                    value=value,
                )
            )
    return parts


def bar_svg(chart: BarChart, element_id: str) -> Markup:
    """The chart as an SVG image; ``element_id`` names it (and its title and
    description) on the page."""
    opening = Markup(
        '<svg id="{id}" class="chart" role="img" aria-labelledby="{id}-title {id}-desc" '
        'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
    ).format(
        id=element_id,
        width=WIDTH,
        height=_height(chart),
        title=chart.title,
        desc=chart.description,
    )
    return opening + Markup("").join([*_legend(chart), *_bars(chart)]) + Markup("</svg>")
