"""Tests for geo.engine.ner: the pinned model verifies, a tampered one is refused, the pipeline falls back."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from geo.engine import ner as ner_module
from geo.engine.ner import (
    MODEL_SHA256,
    NER_PIPES,
    ModelUnavailable,
    SpacyNER,
    load_ner,
    model_path,
    try_load_ner,
    verify_model,
)
from geo.engine.pipeline import Geoparser
from geo.gazetteer import PlaceIndex


@pytest.fixture(scope="module")
def installed_model() -> Path:
    try:
        return model_path()
    except ModelUnavailable as exc:
        pytest.skip(str(exc))


def copy_pinned_files(source: Path, target: Path) -> Path:
    """The pinned files of the model at `source`, copied with the same layout under `target`."""
    for rel in MODEL_SHA256:
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / rel, target / rel)
    return target


@pytest.fixture
def tampered_model(installed_model: Path, tmp_path: Path) -> Path:
    model = copy_pinned_files(installed_model, tmp_path / "model")
    weights = model / "ner" / "model"
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0x01
    weights.write_bytes(bytes(data))
    return model


def test_the_installed_model_verifies(installed_model: Path) -> None:
    verify_model()
    verify_model(installed_model)


def test_an_exact_copy_verifies(installed_model: Path, tmp_path: Path) -> None:
    verify_model(copy_pinned_files(installed_model, tmp_path))


def test_a_tampered_model_is_refused(tampered_model: Path) -> None:
    with pytest.raises(ModelUnavailable, match="ner/model"):
        verify_model(tampered_model)


def test_a_model_missing_a_file_is_refused(installed_model: Path, tmp_path: Path) -> None:
    model = copy_pinned_files(installed_model, tmp_path)
    (model / "ner" / "model").unlink()
    with pytest.raises(ModelUnavailable, match="missing"):
        verify_model(model)


def test_only_the_loaded_pipes_weights_are_checked_and_each_must_be_pinned(installed_model: Path,
                                                                           tmp_path: Path) -> None:
    model = copy_pinned_files(installed_model, tmp_path)
    (model / "tok2vec" / "model").write_bytes(b"not the weights")
    verify_model(model)                                  # the engine's NER does not load the shared tok2vec
    with pytest.raises(ModelUnavailable, match="tok2vec/model"):
        verify_model(model, pipes=("tok2vec", "ner"))    # a caller that does, checks it
    with pytest.raises(ModelUnavailable, match="no pinned digest for the model file parser/model"):
        verify_model(installed_model, pipes=("tok2vec", "parser", "ner"))
    verify_model(installed_model, pipes=("attribute_ruler", "ner"))     # no weights, nothing to pin
    with pytest.raises(ValueError, match="no pipe"):
        load_ner(pipes=("ner", "coref"))


def test_the_pipeline_falls_back_to_gazetteer_only(tampered_model: Path, monkeypatch: pytest.MonkeyPatch,
                                                   index: PlaceIndex) -> None:
    monkeypatch.setattr(ner_module, "model_path", lambda: tampered_model)
    model, reason = try_load_ner()
    assert model is None and "ner/model" in reason

    parser = Geoparser.create()
    assert parser.ner is None and parser.mode == "gazetteer-only"
    assert "ner/model" in parser.ner_problem
    assert [(r.mention.name, r.place.kind) for r in parser.parse("Fighting near Kramatorsk, Ukraine.")] \
        == [("Kramatorsk", "city"), ("Ukraine", "country")]


def test_modes(index: PlaceIndex, ner_required: SpacyNER) -> None:
    assert Geoparser(index, None).mode == "gazetteer-only"
    assert Geoparser(index=index, ner=ner_required).mode == "ner"
    assert Geoparser.create(fast=True).mode == "gazetteer-only"


def test_try_load_ner_gives_the_model(ner_status: tuple[SpacyNER | None, str], installed_model: Path) -> None:
    model, reason = ner_status
    assert model is not None, reason
    assert reason == ""


def test_entities_have_offsets_into_the_text(ner_required: SpacyNER) -> None:
    text = "Shelling hit Kramatorsk. Vladimir Putin spoke in Moscow on May 9."
    entities = ner_required(text)
    assert all(0 <= s < e <= len(text) for s, e, _ in entities)
    labels = {text[s:e]: label for s, e, label in entities}
    assert labels.get("Vladimir Putin") == "PERSON"
    assert labels.get("Moscow") == "GPE"
    second = text.index("Vladimir")
    windowed = ner_required.spans(text, [(second, len(text))])
    assert all(s >= second for s, _, _ in windowed)
    assert {text[s:e] for s, e, _ in windowed} >= {"Vladimir Putin", "Moscow"}
    assert ner_required.spans(text, []) == []


def test_the_ner_is_loaded_without_the_shared_tok2vec_and_finds_the_same_entities(
        ner_required: SpacyNER) -> None:
    assert NER_PIPES == ("ner",) and ner_required.nlp.pipe_names == ["ner"]
    with_shared = load_ner(pipes=("tok2vec", "ner"))
    assert with_shared.nlp.pipe_names == ["tok2vec", "ner"]
    text = ("Rockets hit Kharkiv and Zaporizhzhia overnight, the governor of Kharkiv oblast said on Telegram. "
            "In Springfield, Illinois, Mayor Jane Doe opened the Lincoln Memorial Bridge. "
            "Aid trucks left Port Sudan for El Fasher, North Darfur, on Monday. "
            "The Red Cross said the Rafah crossing between Egypt and Gaza was closed.")
    assert ner_required(text) == with_shared(text) != []
