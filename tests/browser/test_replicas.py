"""Two replicas behind nginx (deploy/serve_replicas.py, as `make serve-replicas N=2`): sticky sessions.

Two people, one on each replica, feed the Stateful page's layer, open another page and come back: each
stays on its replica (the device line names it) and their feed continues where it was. Then one
replica stops: the other person's session goes on working, and new people all land on the live one.
(The page whose replica stopped may log the lost connection: only the others' consoles are checked.)
"""

from __future__ import annotations

import sys

import pytest

from streamlit_app import ROOT, AppPage, new_context

sys.path.insert(0, str(ROOT / "deploy"))
from serve_replicas import Replicas  # noqa: E402

pytestmark = pytest.mark.browser

MAX_TRIES = 40  # new browsers until both replicas have one; each lands on either with probability 1/2


@pytest.fixture(scope="module")
def replicas(browser):
    with Replicas(2) as running:
        yield running


def upstream(context, replicas: Replicas) -> int:
    """Which replica (0-based) nginx sends this browser context to, from its X-Rnnviz-Upstream header.
    The first request also gives the context its rnnviz_replica cookie."""
    response = context.request.get(f"{replicas.url}/_stcore/health")
    assert response.ok, f"the proxy's health check answered {response.status}"
    address = response.headers["x-rnnviz-upstream"].split(",")[-1].strip()  # "dead, live" after a retry
    return replicas.replica_urls.index(f"http://{address}")


def replica_on_page(app: AppPage) -> str:
    """The replica the device line names, e.g. "r1"."""
    line = app.page.get_by_test_id("stSidebar").get_by_test_id("stCaptionContainer").filter(has_text="TensorFlow")
    text = line.inner_text()
    assert " · replica " in text, f"the device line names no replica: {text!r}"
    return text.rsplit(" · replica ", 1)[1].strip()


def feed(app: AppPage) -> None:
    with app.expect_run():
        app.page.get_by_test_id("stMain").get_by_role("button", name="Feed batch").click()


def open_page(app: AppPage, title: str) -> None:
    with app.expect_run():
        app.page.get_by_test_id("stSidebar").get_by_role("link", name=title, exact=True).click()


def batches_fed(app: AppPage) -> int:
    return int(app.metric("Batches fed").split(" of ")[0])


def test_each_session_stays_on_its_replica_and_survives_the_other_stopping(browser, replicas):
    contexts, on = [], {}
    try:
        for _ in range(MAX_TRIES):  # one browser on each replica
            context = new_context(browser)
            contexts.append(context)
            on.setdefault(upstream(context, replicas), context)
            if len(on) == 2:
                break
        assert len(on) == 2, f"{MAX_TRIES} new browsers all went to one replica: the cookie does not spread them"
        people = [AppPage(on[i].new_page(), replicas.url).open("/stateful") for i in (0, 1)]
        for i, app in enumerate(people):
            assert replica_on_page(app) == f"r{i + 1}"
            assert batches_fed(app) == 0

        for rounds, app in zip((3, 2), people):  # a stateful feed, run after run, on each replica
            for _ in range(rounds):
                feed(app)
        assert [batches_fed(app) for app in people] == [3, 2]
        for app in people:  # another page and back: the same session, the same process
            open_page(app, "States")
            open_page(app, "Stateful")
        assert [batches_fed(app) for app in people] == [3, 2]
        for app in people:
            feed(app)
        assert [batches_fed(app) for app in people] == [4, 3]
        assert [replica_on_page(app) for app in people] == ["r1", "r2"]

        replicas.stop_replica(0)
        survivor = people[1]
        feed(survivor)
        open_page(survivor, "Build")
        open_page(survivor, "Stateful")
        assert batches_fed(survivor) == 4 and replica_on_page(survivor) == "r2"
        assert not survivor.console_errors, survivor.console_errors

        for _ in range(3):  # newcomers: every one on the live replica
            context = new_context(browser)
            contexts.append(context)
            assert upstream(context, replicas) == 1
            newcomer = AppPage(context.new_page(), replicas.url).open("/stateful")
            assert replica_on_page(newcomer) == "r2" and batches_fed(newcomer) == 0
            feed(newcomer)
            assert batches_fed(newcomer) == 1
            assert not newcomer.console_errors, newcomer.console_errors
    finally:
        for context in contexts:
            context.close()


def test_the_generated_nginx_config_is_valid(tmp_path):
    """`nginx -t` accepts what serve_replicas writes: the shared proxy file after a loopback upstream."""
    import subprocess

    from serve_replicas import NGINX, nginx_config

    (tmp_path / "tmp").mkdir()
    conf = tmp_path / "nginx.conf"
    conf.write_text(nginx_config(tmp_path, 18080, [18081, 18082]))
    text = conf.read_text()
    assert "listen 127.0.0.1:18080;" in text and "listen 8080;" not in text
    assert "server 127.0.0.1:18081" in text and "server 127.0.0.1:18082" in text
    done = subprocess.run([NGINX, "-t", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"), "-c", str(conf)],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
