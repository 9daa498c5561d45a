"""Where the data and models shipped inside the package live."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
#: Word lists and dictionaries (``data/``).
DATA_DIR = PACKAGE_DIR / "data"
#: Trained weights with their model cards (``models/``).
MODELS_DIR = PACKAGE_DIR / "models"
#: The attribution taggers, second stage and cue-and-entity encoder.
ATTRIBUTION_MODEL_DIR = MODELS_DIR / "attribution"
#: The hedging (event certainty) model.
HEDGING_MODEL_DIR = MODELS_DIR / "hedging"
#: The learned speech-act coder.
SPEECH_ACTS_MODEL_DIR = MODELS_DIR / "speech_acts"
#: The machine-generated text detector and its n-gram model.
MACHINE_TEXT_MODEL_DIR = MODELS_DIR / "machine_text"

__all__ = [
    "ATTRIBUTION_MODEL_DIR",
    "DATA_DIR",
    "HEDGING_MODEL_DIR",
    "MACHINE_TEXT_MODEL_DIR",
    "MODELS_DIR",
    "PACKAGE_DIR",
    "SPEECH_ACTS_MODEL_DIR",
]
