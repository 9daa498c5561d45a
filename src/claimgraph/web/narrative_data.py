"""The narrative layer's output as the report and the app read it, checked on the way in:
``{"propositions": [...], "contradictions": [...]}`` with claims that point back to a
stored statement.  A malformed file or dict is one clear :class:`InputError`."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from claimgraph.errors import InputError


class _Shape(BaseModel):
    model_config = ConfigDict(extra="allow")


class ClaimSpeaker(_Shape):
    entity_id: str | None = None
    name: str


class ClaimSpan(_Shape):
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str


class Claim(_Shape):
    article_id: str
    statement_id: str | None = None
    speaker: ClaimSpeaker | None = None
    text: str
    span: ClaimSpan | None = None
    stance: Literal["supports", "denies", "reports", "unrelated"] | None = None


class Proposition(_Shape):
    id: str | int
    label: str
    first_seen: str | None = None
    last_seen: str | None = None
    claims: list[Claim] = Field(default_factory=list)


class Contradiction(_Shape):
    id: str
    kind: Literal["explicit", "conflicting_values", "self_contradiction"]
    score: float | None = None
    a: Claim
    b: Claim


class NarrativeData(_Shape):
    propositions: list[Proposition] = Field(default_factory=list)
    contradictions: list[Contradiction] = Field(default_factory=list)


def check_narratives(data: Any, *, source: str | None = None) -> dict[str, Any]:
    """``data`` checked against the narrative layer's shape (JSON-ready, as given, with
    defaults filled in); raises :class:`InputError` naming the first problems."""
    try:
        return NarrativeData.model_validate(data).model_dump(mode="json")
    except ValidationError as err:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'top level'}: {e['msg']}"
            for e in err.errors()[:3]
        )
        raise InputError(f"not the narrative layer's shape: {problems}", input=source) from err


__all__ = ["Claim", "Contradiction", "NarrativeData", "Proposition", "check_narratives"]
