"""Tests for geo.engine.ner: the pinned model verifies, a tampered one is refused, the pipeline falls back."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from geo.engine import ner as ner_module
from geo.engine.ner import MODEL_SHA256, ModelUnavailable, SpacyNER, model_path, try_load_ner, verify_model
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
    (model / "tok2vec" / "model").unlink()
    with pytest.raises(ModelUnavailable, match="missing"):
        verify_model(model)


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
