"""Lesson "Stateful" against numpy: chunks fed to a stateful layer equal the whole sequence."""

import numpy as np
import pytest

from rnnviz.lessons import codegen
from rnnviz.lessons.stateful import (
    GUIDE_LENGTH,
    StatefulSession,
    StatefulSetup,
    chunk_bounds,
    run_stateful,
)
from tests.lessons_reference import TOL, recurrence, seeded_weights, uniform_input

SMALL = StatefulSetup(kind="GRU", units=4, batch=3, features=2, length=11, chunk=4, seed=1)


def numpy_chunks(setup):
    """Whole sequence, and each chunk from zeros, in numpy."""
    x = uniform_input((setup.batch, setup.length, setup.features), setup.seed)
    weights = seeded_weights(setup.kind, setup.units, setup.features, setup.seed)
    whole, whole_c, _ = recurrence(setup.kind, x, weights)
    restarted = np.concatenate(
        [recurrence(setup.kind, x[:, a:b], weights)[0] for a, b in chunk_bounds(setup.length, setup.chunk)], axis=1)
    return whole, whole_c, restarted


@pytest.mark.parametrize("setup", [SMALL, StatefulSetup(kind="LSTM", units=3, batch=2, features=2, length=9, chunk=3)])
def test_stateful_chunks_equal_the_whole_sequence_and_stateless_restarts(setup):
    lesson = run_stateful(setup)
    whole, whole_c, restarted = numpy_chunks(setup)
    np.testing.assert_allclose(lesson.whole, whole, atol=TOL)
    np.testing.assert_allclose(lesson.stateful, whole, atol=TOL)
    np.testing.assert_allclose(lesson.stateless, restarted, atol=TOL)
    assert lesson.max_difference <= TOL
    assert abs(lesson.stateless_difference - np.abs(restarted - whole).max()) <= TOL
    np.testing.assert_allclose(lesson.distance_stateless, np.abs(restarted - whole).max(axis=(0, 2)), atol=TOL)
    stops = [b for _, b in lesson.bounds]
    np.testing.assert_allclose(lesson.states_after[0], whole[:, np.array(stops) - 1].transpose(1, 0, 2), atol=TOL)
    if setup.kind == "LSTM":
        np.testing.assert_allclose(lesson.states_after[1], whole_c[:, np.array(stops) - 1].transpose(1, 0, 2), atol=TOL)
    # The first chunk starts from zeros both ways; later chunks jump.
    first = setup.chunk
    assert lesson.distance_stateless[:first].max() <= TOL
    assert lesson.distance_stateless[first] > 1e-3


def test_the_guides_1548_steps_in_16_chunks():
    setup = StatefulSetup()  # LSTM(64), batch 20, 50 features, as the guide
    assert (setup.length, setup.batch, setup.features, setup.units) == (GUIDE_LENGTH, 20, 50, 64)
    assert len(setup.bounds) == 16 and setup.bounds[-1] == (1500, 1548)
    lesson = run_stateful(setup)
    whole, _, _ = numpy_chunks(setup)
    np.testing.assert_allclose(lesson.stateful, whole, atol=1e-4)
    assert lesson.max_difference <= 1e-5


def test_more_chunks_than_the_limit_are_refused_before_any_work():
    with pytest.raises(ValueError, match="cuts 1,548 steps into 1,548 batches, more than the limit of 300.*at least 6"):
        StatefulSetup(chunk=1)
    assert len(StatefulSetup(length=1548, chunk=6).bounds) == 258
    assert len(StatefulSetup(length=300, chunk=1).bounds) == 300


def test_chunk_bounds():
    assert chunk_bounds(10, 4) == ((0, 4), (4, 8), (8, 10))
    assert chunk_bounds(3, 3) == ((0, 3),)
    with pytest.raises(ValueError, match="chunk must be from 1 to 3"):
        chunk_bounds(3, 4)


def test_session_feeds_chunks_in_order_and_reset_restarts_the_state():
    session = StatefulSession(SMALL)
    whole, _, restarted = numpy_chunks(SMALL)
    first = session.feed()
    assert not first.initial[0].any()
    np.testing.assert_allclose(first.h, whole[:, 0:4], atol=TOL)
    second = session.feed()
    np.testing.assert_allclose(second.initial[0], whole[:, 3], atol=TOL)  # sample i continues sample i
    np.testing.assert_allclose(second.h, whole[:, 4:8], atol=TOL)
    session.reset_state()
    assert not session.states()[0].any()
    third = session.feed()
    assert third.after_reset and not third.initial[0].any()
    np.testing.assert_allclose(third.h, restarted[:, 8:11], atol=TOL)  # as if stateless
    assert session.done
    with pytest.raises(ValueError, match="all 3 chunks have been fed"):
        session.feed()
    session.start_over()
    assert session.next_index == 0 and not session.states()[0].any()
    np.testing.assert_allclose(session.feed().h, whole[:, 0:4], atol=TOL)


def test_a_batch_of_another_size_is_refused_with_the_reason():
    session = StatefulSession(StatefulSetup(units=2, batch=20, features=2, length=6, chunk=3))
    session.feed()
    with pytest.raises(ValueError, match=r"batch 2 has 16 samples but the layer was built for 20; a stateful layer "
                                         r"needs the same batch size every time \(sample i continues sample i\)"):
        session.feed(samples=16)
    assert session.next_index == 1  # nothing was fed


@pytest.mark.parametrize(("args", "message"), [
    (dict(kind="LSTMCell"), "kind must be one of"), (dict(length=2001), "timesteps must be from 1 to 2000"),
    (dict(length=10, chunk=11), "chunk must be from 1 to 10"), (dict(batch=0), "batch must be from 1"),
])
def test_bad_setups_name_the_problem(args, message):
    with pytest.raises(ValueError, match=message):
        StatefulSetup(**args)


def test_the_code_shown_reproduces_the_lesson():
    lesson = run_stateful(SMALL)
    scope: dict = {}
    exec(compile(codegen.stateful_code(SMALL), "<code>", "exec"), scope)
    np.testing.assert_array_equal(scope["stateful"], lesson.stateful)
    np.testing.assert_array_equal(scope["restarted"], lesson.stateless)
    np.testing.assert_array_equal(scope["whole"], lesson.whole)
    assert not np.asarray(scope["stateful_layer"].states[0]).any()  # reset_state() ran last
