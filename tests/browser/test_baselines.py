"""Every baseline PNG belongs to a screenshot the suite takes (no browser needed)."""

from pathlib import Path

from test_screenshots import SHOTS, shot_name
from test_korean import SHOT_NAMES as KOREAN_SHOTS
from test_presenter_screen import FIRST_SCREEN as PRESENTER_SHOT
from test_train import SHOT_NAMES as TRAIN_SHOTS


BASELINES = Path(__file__).resolve().parent / "baselines"


def test_every_baseline_belongs_to_a_shot():
    taken = {shot_name(*shot) for shot in SHOTS} | set(TRAIN_SHOTS) | set(KOREAN_SHOTS) | {PRESENTER_SHOT}
    orphans = sorted(p.name for p in BASELINES.glob("*.png") if p.stem not in taken)
    assert not orphans, f"baselines of pages or presets no longer shot; delete them: {orphans}"
