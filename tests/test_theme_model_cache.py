"""The theme model saved once per corpus: our analyzers are scikit-learn's, the saved form
predicts exactly what the trained model does, and the key follows the corpus."""

from __future__ import annotations

import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from storage.analytics import comment_text as theme_text
from storage.analytics.themes import corpus as theme_corpus
from storage.analytics.themes import model as theme_model


def test_analyzers_match_scikit_learn_on_the_corpus() -> None:
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), lowercase=False).build_analyzer()
    word = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), lowercase=False, token_pattern=r"\S+")
    words = word.build_analyzer()
    for example in theme_corpus.training_examples():
        char_text, word_text = theme_text.model_inputs(example.text)
        assert theme_model.char_ngrams(char_text) == char(char_text)
        assert theme_model.word_ngrams(word_text) == words(word_text)


def test_saved_model_predicts_the_same() -> None:
    examples = theme_corpus.training_examples()[::6]  # a small model: the format is what is tested
    model = theme_model.train(examples)
    loaded = theme_model.from_bytes(theme_model.to_bytes(model))
    for example in examples[:40]:
        assert loaded.probabilities(example.text) == pytest.approx(
            model.probabilities(example.text), abs=1e-12
        )


def test_garbage_is_refused() -> None:
    with pytest.raises((ValueError, OSError)):
        theme_model.from_bytes(b"not a model")


def test_key_follows_the_corpus(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    key = theme_model.corpus_key()
    assert key == theme_model.corpus_key() and len(key) == 64
    monkeypatch.setattr(theme_model, "FORMAT", "theme-model-other")
    assert theme_model.corpus_key() != key
