"""rnnviz/ui/serving.py: the replica's name and the per-run timing line bench/load.py reads."""

import re
import time

import pytest

from rnnviz.ui import serving


@pytest.mark.parametrize("raw, shown", [("r1", "r1"), ("rnnviz-7f9c8d-x2p", "rnnviz-7f9c8d-x2p"), ("", ""),
                                         ("two words", ""), ("<b>r1</b>", ""), ("x" * 33, "")])
def test_replica_name_is_a_short_plain_name_or_nothing(raw, shown):
    assert serving.replica_name({serving.REPLICA_ENV: raw}) == shown
    assert serving.replica_name({}) == ""


class Page:
    def __init__(self, url_path, fail=False):
        self.url_path, self.fail, self.runs = url_path, fail, 0

    def run(self):
        self.runs += 1
        if self.fail:
            raise RuntimeError("stopped early")


def test_a_finished_run_logs_its_seconds_only_with_timing_on(monkeypatch, capsys):
    monkeypatch.delenv(serving.TIMING_ENV, raising=False)
    page = Page("states")
    serving.run_page(page)
    assert page.runs == 1 and capsys.readouterr().err == ""
    monkeypatch.setenv(serving.TIMING_ENV, "1")
    serving.run_page(page)
    assert page.runs == 2
    assert re.fullmatch(r"rnnviz-run-seconds \d+\.\d{4} states\n", capsys.readouterr().err)
    serving.run_page(page, started=time.perf_counter() - 5)  # counted from the top of the app script
    assert float(capsys.readouterr().err.split()[1]) >= 5
    stopped = Page("stateful", fail=True)
    with pytest.raises(RuntimeError):
        serving.run_page(stopped)
    assert capsys.readouterr().err == ""  # a run stopped early is not counted
