"""What a server process adds when it is one of several replicas: its name, and the time of each run.

`RNNVIZ_REPLICA=r1` (set by `make serve-replicas` and deploy/compose.yaml) puts "replica r1" on the
device line, so a person or a test can see which process behind the proxy holds the session.
`RNNVIZ_TIMING=1` makes every finished run write one line to the server's stderr,
`rnnviz-run-seconds 0.4312 states`: the server's own time for the whole run of app.py (shared sidebar and
page), read by bench/load.py.
"""

from __future__ import annotations

import os
import re
import sys
import time

REPLICA_ENV = "RNNVIZ_REPLICA"
TIMING_ENV = "RNNVIZ_TIMING"
TIMING_PREFIX = "rnnviz-run-seconds"
_NAME = re.compile(r"[A-Za-z0-9_.-]{1,32}")


def replica_name(environ: dict | None = None) -> str:
    """This process's replica name from `RNNVIZ_REPLICA`, or "" when unset or not a short plain name."""
    raw = (os.environ if environ is None else environ).get(REPLICA_ENV, "")
    return raw if _NAME.fullmatch(raw) else ""


def run_page(page, started: float | None = None) -> None:
    """Run the chosen `st.Page`; with `RNNVIZ_TIMING=1`, log the seconds the run took once it finished.

    A run stopped early (a rerun, a closed tab) raises out of `page.run()` and logs nothing.

    Args:
        page: the `st.Page` that `st.navigation` chose.
        started: `time.perf_counter()` at the top of the app script, so the shared sidebar counts too;
            the page alone when None.
    """
    if os.environ.get(TIMING_ENV) != "1":
        page.run()
        return
    started = time.perf_counter() if started is None else started
    page.run()
    line = f"{TIMING_PREFIX} {time.perf_counter() - started:.4f} {page.url_path or 'build'}\n"
    sys.stderr.write(line)  # one write: the lines of runs on other threads do not interleave with it
    sys.stderr.flush()
