"""The English-sentence detector of the Korean tests (tests/english_text.py) on small strings."""

import pytest

from english_text import english_runs, has_hangul


@pytest.mark.parametrize("text", [
    "The model reads the input one step at a time.",
    "Move the slider under the title",
    "레이어 lstm: every unit at every step",  # Korean around an English sentence
    "LSTM(64, return_sequences=True) returns the whole sequence",  # English after code
    "Hover for exact numbers.",
    "the guide's example",  # an apostrophe stays inside its word
    "Drag and drop file here",
    "ms per pass: median, whiskers\nover the middle half of the passes",
])
def test_an_english_sentence_is_found(text):
    assert english_runs(text)


@pytest.mark.parametrize("text", [
    "은닉 상태 h",
    "LSTM(64, return_sequences=True)은 모든 스텝의 출력을 돌려줍니다.",
    "return_sequences와 return_state를 켜면 `output, state_h, state_c` 세 텐서가 나옵니다",
    "keras.layers.Bidirectional(keras.layers.LSTM(64)), merge_mode=\"concat\"",
    "Bidirectional (양방향): forward와 backward 두 레이어, merge_mode는 concat, sum, mul, ave 중 하나",
    "stateful=True 레이어는 initial_state 없이 앞 배치의 상태를 이어받습니다",
    "Input → LSTM → Dense",
    "망각 게이트 f (0…1) · 후보 g · 입력 게이트 i",
    "스텝 12 / 43 · 입력 “q”",
    "프리셋 guide-encoder-decoder를 엽니다",  # a preset name is an identifier
    "SimpleRNN, GRU, LSTM: 12.3 ms (가운데 절반 11.9–12.8)",
    "PC 1 (분산의 63 %)",
    "Language · 언어",
    "tanh, −1…1",
    "h c f o",  # symbols, not words
    "https://keras.io/guides/working_with_rnns/",
])
def test_korean_with_keras_names_code_and_numbers_is_not_flagged(text):
    assert english_runs(text) == []


def test_the_runs_are_reported_as_found():
    assert english_runs("재생 Hover for exact numbers. 값") == ["Hover for exact numbers"]
    assert english_runs("one two\nthree four") == []  # a line break ends a run


def test_hangul_is_recognised():
    assert has_hangul("스텝 3") and not has_hangul("step 3, LSTM")
