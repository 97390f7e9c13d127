"""Issue 17: the platform colours stay apart for the common colour-vision deficiencies and in
greyscale print. The simulation is Machado, Oliveira & Fernandes (2009), at full severity
(protanopia, deuteranopia, tritanopia), applied in linear RGB; distances are CIE76 ΔE in
CIELAB (D65). A ΔE of 10 or more reads as clearly different colours; greyscale compares L*."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest

from analytics import config

MACHADO = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                   [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                     [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                   [0.004733, 0.691367, 0.303900]],
}
SRGB_TO_XYZ = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                        [0.0193, 0.1192, 0.9505]])
D65 = np.array([0.95047, 1.0, 1.08883])
MIN_DELTA_E = 10
MIN_GREY_STEP = 10  # L* between neighbours in greyscale


def linear(colour: str) -> np.ndarray:
    c = np.array([int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)])
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def lab(rgb_linear: np.ndarray) -> np.ndarray:
    t = SRGB_TO_XYZ @ np.clip(rgb_linear, 0, 1) / D65
    f = np.where(t > 216 / 24389, np.cbrt(t), (24389 / 27 * t + 16) / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


@pytest.mark.parametrize("vision", ["normal", *MACHADO])
def test_platform_colours_stay_apart_for_colour_blind_readers(vision: str) -> None:
    matrix = np.eye(3) if vision == "normal" else np.array(MACHADO[vision])
    seen = {p: lab(matrix @ linear(c)) for p, c in config.PLATFORM_COLOURS.items()}
    closest = min((float(np.linalg.norm(seen[a] - seen[b])), a, b)
                  for a, b in itertools.combinations(seen, 2))
    assert closest[0] >= MIN_DELTA_E, closest


def test_platform_colours_stay_apart_in_greyscale_print() -> None:
    lightness = sorted(lab(linear(c))[0] for c in config.PLATFORM_COLOURS.values())
    steps = np.diff(lightness)
    assert steps.min() >= MIN_GREY_STEP, lightness


def test_the_simulation_merges_red_and_green_for_protanopes() -> None:
    """The check can fail: red and green, opposite on the a* (green–red) axis for normal
    vision, land on the same a* for a protanope (only their lightness still differs)."""
    red, green = linear("#d62728"), linear("#2ca02c")
    assert lab(red)[1] - lab(green)[1] > 100
    protan = np.array(MACHADO["protanopia"])
    assert abs(lab(protan @ red)[1] - lab(protan @ green)[1]) < 5


def test_the_report_swatches_use_the_same_colours() -> None:
    css = (config.TEMPLATES_DIR / "report.css").read_text()
    swatches = dict(re.findall(r"\.swatch-(\w+) \{ background: (#[0-9a-f]{6}); \}", css))
    assert swatches == config.PLATFORM_COLOURS
