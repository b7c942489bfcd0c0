"""The cold-start benchmark's report line, and that it times the setup action's own install step."""

from __future__ import annotations

from pathlib import Path

import pytest

from script_module import load_script

ROOT = Path(__file__).resolve().parent.parent.parent


cold_start = load_script(ROOT / "scripts" / "benchmark" / "cold_start.py", 'cold_start')


@pytest.mark.parametrize(("uv", "pip", "expected"), [
    ((0.9, 0.8, 1.0), (7.4, 7.0, 9.1),
     "cold start: uv 0.90 s, pip 7.40 s (8.2x faster), median of 3"),
    ((2.0,), (5.0,), "cold start: uv 2.00 s, pip 5.00 s (2.5x faster), median of 1"),
    ((1.0, 3.0), (6.0, 8.0), "cold start: uv 2.00 s, pip 7.00 s (3.5x faster), median of 2"),
])
def test_the_line(uv: tuple[float, ...], pip: tuple[float, ...], expected: str) -> None:
    assert cold_start.line(cold_start.ColdStart(uv, pip)) == expected


def test_the_uv_way_is_the_actions_install_step() -> None:
    assert cold_start.uv_way() == 'bash "$GITHUB_ACTION_PATH/install.sh" "$PYTHON" "$CACHE"'


def test_repeats_must_be_positive() -> None:
    with pytest.raises(ValueError, match=r"^repeats must be at least 1$"):
        cold_start.measure(0)
