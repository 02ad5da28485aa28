"""Own sequences: typed ids, .npy/.csv uploads, vocabulary files, and the model's output read out."""

import io

import numpy as np
import pytest

from rnnviz import limits, own_data
from rnnviz.inputs import InputChoice, make_inputs


def _npy(array) -> bytes:
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=True)
    return buf.getvalue()


def test_typed_ids_rows_by_newline_or_semicolon():
    assert own_data.parse_token_ids("3 14 15 9").tolist() == [[3, 14, 15, 9]]
    assert own_data.parse_token_ids("1, 2 ,3;4 5 6\n7 8 9\n").tolist() == [[1, 2, 3], [4, 5, 6], [7, 8, 9]]


@pytest.mark.parametrize("text, words", [
    ("", "no token ids"), ("1 2 x", "'x', which is not a token id"), ("1 -2", "'-2'"),
    ("1 2 3; 4 5", "row 0 has 3 values but row 1 has 2"), ("1.5 2", "'1.5'"),
])
def test_typed_ids_refused_with_the_fix(text, words):
    with pytest.raises(ValueError, match=words.replace("(", r"\(")):
        own_data.parse_token_ids(text)


def test_npy_good_and_csv_good():
    x = np.arange(24, dtype=np.float32).reshape(2, 4, 3) / 7
    got = own_data.load_array(_npy(x), "x.npy")
    np.testing.assert_array_equal(got.array, x)
    csv = own_data.load_array(b"1,2,3\n4,5,6\n", "ids.csv")
    assert csv.array.dtype.kind == "i" and csv.array.tolist() == [[1, 2, 3], [4, 5, 6]]
    floats = own_data.load_array(b"0.5,1\n2,3\n", "f.csv").array
    assert floats.dtype == np.float64 and floats.tolist() == [[0.5, 1], [2, 3]]
    assert own_data.load_array(_npy(x), "x.npy") == got  # equal by name and content: keys a cache
    assert own_data.load_array(_npy(x + 1), "x.npy") != got


@pytest.mark.parametrize("data, name, words", [
    (b"1,2\n3\n", "r.csv", "row 0 has 2 values but row 1 has 1"),
    (b"1,a\n", "b.csv", "row 0 of b.csv holds something that is not a number"),
    (b"", "e.csv", "empty"),
    (b"junk", "j.npy", "not a readable .npy"),
    (b"1", "x.h5", "not a .npy or .csv"),
    (_npy(np.array([{"a": 1}], dtype=object)), "o.npy", "Python objects"),
])
def test_bad_files_refused(data, name, words):
    with pytest.raises(ValueError, match=words):
        own_data.load_array(data, name)


def test_too_large_refused(monkeypatch):
    monkeypatch.setattr(own_data, "MAX_DATA_BYTES", 100)
    with pytest.raises(ValueError, match="more than the limit of 100 bytes"):
        own_data.load_array(_npy(np.zeros(100, np.float32)), "big.npy")
    assert limits.MAX_DATA_BYTES == 64 * 1024**2


def test_vectors_checked_against_the_input():
    x = np.ones((2, 5, 3), np.float64)
    out = own_data.fit_vectors(x, 3, None, None)
    assert out.dtype == np.float32 and out.shape == (2, 5, 3)
    assert own_data.fit_vectors(np.ones((5, 3)), 3, None, None).shape == (1, 5, 3)  # one sequence
    assert own_data.fit_vectors(np.ones((2, 5)), 1, None, None).shape == (2, 5, 1)  # a csv of 1 feature
    for bad, words in [
        (np.ones((2, 5, 4)), "reads 3 features per step, but the data has 4"),
        (np.ones((2, 5, 3, 1)), r"shaped \(batch, timesteps, 3\)"),
        (np.array([[[np.nan, 0, 0]]]), "NaN or infinity"),
        (np.array([[["a", "b", "c"]]]), "dtype <U1"),
    ]:
        with pytest.raises(ValueError, match=words):
            own_data.fit_vectors(bad, 3, None, None)
    with pytest.raises(ValueError, match="exactly 7 timesteps, but the data has 5"):
        own_data.fit_vectors(x, 3, None, 7)
    with pytest.raises(ValueError, match="fixed batch of 4 rows, but the data has 2"):
        own_data.fit_vectors(x, 3, 4, None)


def test_tokens_checked_against_the_input():
    assert own_data.fit_tokens(np.array([3, 4]), 10, None, None).tolist() == [[3, 4]]
    assert own_data.fit_tokens(np.array([[3.0, 4.0]]), 10, None, None).dtype == np.int32
    for bad, words in [
        (np.array([[3, 10]]), "token id 10 is outside this model's vocabulary of 10"),
        (np.array([[-1, 2]]), "token id -1"),
        (np.array([[1.5, 2]]), "fractions"),
        (np.array([[np.nan, 2]]), "NaN"),
        (np.ones((1, 2, 3), np.int64), r"shaped \(batch, timesteps\)"),
    ]:
        with pytest.raises(ValueError, match=words):
            own_data.fit_tokens(bad, 10, None, None)


def test_vocabulary_file():
    vocab = own_data.load_vocabulary("<pad>\n<unk>\nthe\ncat\n\n".encode(), "v.txt")
    assert vocab.tokens == ("<pad>", "<unk>", "the", "cat")
    assert vocab.label(3) == "cat" and vocab.label(9) == "9"
    for data, words in [(b"\n\n", "empty"), (b"\xff\xfe\x00bad", "not UTF-8")]:
        with pytest.raises(ValueError, match=words):
            own_data.load_vocabulary(data, "v.txt")


def test_vocabulary_too_long(monkeypatch):
    monkeypatch.setattr(own_data, "MAX_VOCAB", 2)
    with pytest.raises(ValueError, match="3 lines, more than the limit of 2 tokens"):
        own_data.load_vocabulary(b"a\nb\nc\n", "v.txt")


def test_make_inputs_feeds_typed_ids_with_vocabulary_words():
    vocab = own_data.load_vocabulary(b"<pad>\n<unk>\nthe\ncat\nsat\n", "v.txt")
    choice = InputChoice(source="ids", text="2 3 4; 4 3 2", batch=2, row=1, vocab=vocab)
    got = make_inputs(choice, vocab_size=5)
    assert got.array.tolist() == [[2, 3, 4], [4, 3, 2]] and got.array.dtype == np.int32
    assert got.labels == ("sat", "cat", "the") and got.row == 1
    with pytest.raises(ValueError, match="token ids need a model that starts with an Embedding"):
        make_inputs(InputChoice(source="ids", text="1 2"), features=3)


def test_make_inputs_bounds_the_values_of_an_upload():
    own = own_data.OwnArray("big.npy", "d", np.zeros((256, 2000, 80), np.float32))  # 40,960,000 values
    with pytest.raises(ValueError, match="more than the limit of 33,554,432: lower one of them"):
        make_inputs(InputChoice(source="file", own=own, batch=256), features=80)


def test_make_inputs_feeds_an_upload():
    x = np.random.default_rng(0).standard_normal((3, 6, 2)).astype(np.float32)
    own = own_data.load_array(_npy(x), "x.npy")
    got = make_inputs(InputChoice(source="file", own=own, batch=3), features=2)
    np.testing.assert_array_equal(got.array, x)
    assert got.labels == tuple(str(t) for t in range(6))
    with pytest.raises(ValueError, match="no file is uploaded yet"):
        make_inputs(InputChoice(source="file"), features=2)
    with pytest.raises(ValueError, match="reads 5 features"):
        make_inputs(InputChoice(source="file", own=own, batch=3), features=5)


def test_read_output_per_step_or_at_the_end():
    per_step = np.zeros((2, 4, 3), np.float32)
    per_step[1, 2] = [0.1, 0.7, 0.2]
    got = own_data.read_output(per_step, row=1, step=2, timesteps=4)
    assert got.per_step and got.step == 2 and [c for c, _ in got.top] == [1, 2, 0]
    assert got.top[0][1] == pytest.approx(0.7)
    final = np.array([[0.3, 0.6], [0.9, 0.05]], np.float32)
    got = own_data.read_output(final, row=0, step=1, timesteps=4)
    assert not got.per_step and got.step == 3 and got.top[0] == (1, pytest.approx(0.6))
