"""Bar charts drawn by the server as inline SVG: nothing to load, readable on a phone. Each
chart carries its title and a table of the same figures for those who do not see it."""

from __future__ import annotations

from dataclasses import dataclass

# The SVG's own units; it scales to the width of its card.
WIDTH = 320
ROW = 40
LABEL_HEIGHT = 14
BAR_HEIGHT = 14
# Room on the right of the longest bar for its figure.
BAR_SPACE = 0.62 * WIDTH


@dataclass(frozen=True)
class Bar:
    label: str
    text: str
    y: float
    width: float
    # A part of the bar drawn darker (the confirmed share of an amount); None: the whole bar.
    part: float | None = None

    @property
    def label_y(self) -> float:
        return self.y + LABEL_HEIGHT - 2

    @property
    def bar_y(self) -> float:
        return self.y + LABEL_HEIGHT + 4

    @property
    def text_x(self) -> float:
        return self.width + 6

    @property
    def text_y(self) -> float:
        return self.bar_y + BAR_HEIGHT - 3


@dataclass(frozen=True)
class BarChart:
    key: str
    title: str
    description: str
    columns: tuple[str, ...]
    bars: list[Bar]
    # The table alternative: one row per bar, the cells under `columns`.
    rows: list[tuple]

    @property
    def height(self) -> int:
        return max(1, len(self.bars)) * ROW

    width = WIDTH
    track_width = BAR_SPACE
    bar_height = BAR_HEIGHT


def bar_chart(
    *,
    key: str,
    title: str,
    description: str,
    columns: tuple[str, ...],
    items: list[tuple[str, float, str, tuple]],
    parts: list[float] | None = None,
) -> BarChart:
    """`items`: (label, value, the figure shown, the table row) per bar, bars scaled to the
    largest value; `parts`, when given, the darker share of each bar in the same units."""
    largest = max((value for _, value, _, _ in items), default=0) or 1
    bars = [
        Bar(
            label=label,
            text=text,
            y=index * ROW,
            width=round(BAR_SPACE * value / largest, 1) if value else 0,
            part=round(BAR_SPACE * parts[index] / largest, 1) if parts else None,
        )
        for index, (label, value, text, _) in enumerate(items)
    ]
    return BarChart(key, title, description, columns, bars, [row for *_, row in items])
