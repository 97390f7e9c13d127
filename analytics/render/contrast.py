"""Colour contrast rules (WCAG 2.1): text on the report's colours stays readable.

The heat map's cells and a brand colour used for text are checked here, so a pale or a dark
brand colour never makes a label unreadable; the charts, templates and notebooks all take
their colours from these rules.
"""

from __future__ import annotations

#: The report's ink: body text, labels and the hatching of thin heat-map cells.
INK = "#1f2933"

#: The heat map's text: dark ink on tested cells, a lighter grey on thin ones (report.css
#: uses the same two colours); every cell's background keeps both at WCAG AA contrast.
HEAT_INK = INK
HEAT_THIN_INK = "#525c67"
MIN_CONTRAST = 4.5  # WCAG 2.1 AA for normal-size text


def relative_luminance(colour: str) -> float:
    """WCAG 2.1's relative luminance of ``#rrggbb``."""
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    high, low = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def readable(colour: str, background: str = "#ffffff") -> str:
    """``colour`` darkened just enough (towards black, 5 % a step) for text in it to keep AA
    contrast on ``background``: a pale brand colour still names the period legibly."""
    for step in range(21):
        darker = _blend(colour, "#000000", step * 0.05)
        if contrast(darker, background) >= MIN_CONTRAST:
            return darker
    return "#000000"


def heat_colour(value: float | None, thin: bool, accent_rgb: tuple[int, int, int]) -> str:
    """Background of one posting-time cell: the accent's strength grows with the window's
    engagement rate relative to the typical post (1.0 = typical); thin cells stay pale.
    A dark brand colour is lightened until the cell's text keeps AA contrast (4.5:1)."""
    if value is None:
        return "#ffffff"
    strength = min(max((value - 0.6) / 1.2, 0.0), 1.0)
    if thin:
        strength *= 0.35
    ink = HEAT_THIN_INK if thin else HEAT_INK
    # at most 55 % of the accent, less when the accent is so dark the ink would not read
    strength *= 0.55
    while True:
        r, g, b = (round(255 - (255 - c) * strength) for c in accent_rgb)
        colour = f"#{r:02x}{g:02x}{b:02x}"
        darkest = _blend(colour, INK, HATCH_ALPHA) if thin else colour
        if strength <= 0 or contrast(darkest, ink) >= MIN_CONTRAST:
            return colour
        strength = max(strength - 0.02, 0.0)


#: Thin cells are hatched with INK at this opacity (report.css): their type must keep its
#: contrast on the stripes too.
HATCH_ALPHA = 0.09


def _blend(colour: str, over: str, alpha: float) -> str:
    """``over`` painted at ``alpha`` opacity on ``colour``."""
    mixed = (round(int(colour[i:i + 2], 16) * (1 - alpha) + int(over[i:i + 2], 16) * alpha)
             for i in (1, 3, 5))
    return "#" + "".join(f"{c:02x}" for c in mixed)
