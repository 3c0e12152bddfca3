"""SVG badges in the flat style (written here, no dependency) and shields.io endpoint JSON.

Text widths are estimated from a per-character width table for Verdana 11px (as shields.io and anybadge
do); `textLength` then pins the drawn text to that width, so the badge looks the same whichever font the
viewer falls back to (DejaVu Sans on Linux has nearly Verdana's metrics).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from pef_gx.reporting.view import ReportView, ScoreRow

FONT_SIZE = 11
HEIGHT = 20
PADDING = 6  # px left and right of each text
LABEL_COLOR = "#555"
OVERALL_LABEL = "data quality"

# Advance widths in px of Verdana at 11px, printable ASCII. Anything else: DEFAULT_WIDTH (wide, so text
# never overflows).
_WIDTHS = {
    " ": 3.9, "!": 4.3, '"': 5.0, "#": 9.0, "$": 7.0, "%": 12.3, "&": 8.0, "'": 3.0, "(": 5.0, ")": 5.0,
    "*": 7.0, "+": 9.0, ",": 4.0, "-": 5.0, ".": 4.0, "/": 5.0, ":": 5.0, ";": 5.0, "<": 9.0, "=": 9.0,
    ">": 9.0, "?": 6.0, "@": 11.0, "[": 5.0, "\\": 5.0, "]": 5.0, "^": 9.0, "_": 7.0, "`": 7.0,
    "{": 7.0, "|": 5.0, "}": 7.0, "~": 9.0,
    **dict.fromkeys("0123456789", 7.0),
    "A": 7.5, "B": 7.6, "C": 7.7, "D": 8.5, "E": 7.0, "F": 6.3, "G": 8.5, "H": 8.3, "I": 4.6, "J": 5.0,
    "K": 7.6, "L": 6.1, "M": 9.3, "N": 8.2, "O": 8.7, "P": 6.6, "Q": 8.7, "R": 7.7, "S": 7.5, "T": 6.8,
    "U": 8.1, "V": 7.5, "W": 10.9, "X": 7.5, "Y": 6.8, "Z": 7.5,
    "a": 6.7, "b": 6.8, "c": 5.8, "d": 6.8, "e": 6.6, "f": 3.8, "g": 6.8, "h": 7.0, "i": 3.0, "j": 3.8,
    "k": 6.5, "l": 3.0, "m": 10.7, "n": 7.0, "o": 6.7, "p": 6.8, "q": 6.8, "r": 4.7, "s": 5.7, "t": 4.3,
    "u": 7.0, "v": 6.5, "w": 9.0, "x": 6.5, "y": 6.5, "z": 5.8,
}  # fmt: skip
DEFAULT_WIDTH = 8.0


def text_width(text: str) -> float:
    """Estimated width in px of `text` in Verdana 11px."""
    return round(sum(_WIDTHS.get(ch, DEFAULT_WIDTH) for ch in text), 1)


def render_svg(label: str, message: str, color_hex: str, ident: str = "b") -> str:
    """A flat badge: grey label on the left, coloured message on the right. `ident` keeps ids unique when
    several badges are inlined in one page."""
    ident = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in ident)
    label_text = text_width(label)
    message_text = text_width(message)
    label_w = round(label_text + 2 * PADDING)
    message_w = round(message_text + 2 * PADDING)
    width = label_w + message_w
    title = escape(f"{label}: {message}")

    def text(x: float, value: str, length: float) -> str:
        v = escape(value)
        return (
            f'<text x="{x:g}" y="15" fill="#010101" fill-opacity=".3" textLength="{length:g}">{v}</text>'
            f'<text x="{x:g}" y="14" textLength="{length:g}">{v}</text>'
        )

    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{HEIGHT}" role="img" '
        f"aria-label={quoteattr(f'{label}: {message}')}>"
        f"<title>{title}</title>"
        f'<linearGradient id="s-{ident}" x2="0" y2="100%">'
        f'<stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/>'
        f"</linearGradient>"
        f'<clipPath id="r-{ident}"><rect width="{width}" height="{HEIGHT}" rx="3" fill="#fff"/></clipPath>'
        f'<g clip-path="url(#r-{ident})">'
        f'<rect width="{label_w}" height="{HEIGHT}" fill="{LABEL_COLOR}"/>'
        f'<rect x="{label_w}" width="{message_w}" height="{HEIGHT}" fill="{escape(color_hex)}"/>'
        f'<rect width="{width}" height="{HEIGHT}" fill="url(#s-{ident})"/>'
        f"</g>"
        f'<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" '
        f'text-rendering="geometricPrecision" font-size="{FONT_SIZE}">'
        f"{text(label_w / 2, label, label_text)}"
        f"{text(label_w + message_w / 2, message, message_text)}"
        f"</g></svg>\n"
    )


def endpoint_json(label: str, message: str, color: str) -> str:
    """shields.io endpoint JSON (https://shields.io/badges/endpoint-badge)."""
    data = {"schemaVersion": 1, "label": label, "message": message, "color": color}
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


@dataclass(frozen=True)
class BadgeFile:
    name: str  # file name
    content: str


def _message(row: ScoreRow) -> str:
    return row.score_text


def badge_files(view: ReportView) -> list[BadgeFile]:
    """overall.svg/.json and <dimension>.svg/.json for every dimension (grey "not measured" when unmeasured)."""
    files = []
    for row in [view.overall, *view.dimensions]:
        label = OVERALL_LABEL if row.key == "overall" else row.label
        files.append(BadgeFile(f"{row.key}.svg", render_svg(label, _message(row), row.color_hex, row.key)))
        files.append(BadgeFile(f"{row.key}.json", endpoint_json(label, _message(row), row.color)))
    return files
