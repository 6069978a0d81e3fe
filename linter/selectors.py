"""Naming policies: an id (``VM102``) or a name (``privileged-container``) in any case, a family (``isolation``),
or ``ALL``; one resolver for the command line, the configuration and suppressions."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence

from .policy import Policy

ALL = "ALL"
_LOOKS_LIKE_ID = re.compile(r"^[A-Za-z]{2,5}[0-9]+$")


class UnknownSelector(ValueError):
    """A token that names no policy, family or ``ALL``; the message suggests the closest."""


class Selectors:
    """Resolves tokens against one catalog of policies."""

    def __init__(self, policies: Sequence[Policy]) -> None:
        self.ids = {p.id.upper(): p.id for p in policies}
        self.names = {p.name.lower(): p.id for p in policies}
        self.families: dict[str, set[str]] = {}
        for p in policies:
            self.families.setdefault(p.tradeoff.lower(), set()).add(p.id)

    def policy(self, token: str) -> str:
        """The id of the one policy ``token`` names (an id or a name, any case)."""
        text = token.strip()
        found = self.ids.get(text.upper()) or self.names.get(text.lower())
        if found is None:
            raise UnknownSelector(f"{self._unknown(text, 'policy')}{self._suggest(text, families=False)}")
        return found

    def resolve(self, tokens: Iterable[str]) -> frozenset[str]:
        """The ids that ``tokens`` select: ids, names, family names and ``ALL``, any case."""
        out: set[str] = set()
        for token in tokens:
            text = token.strip()
            if text.upper() == ALL:
                out.update(self.ids.values())
            elif text.lower() in self.families:
                out.update(self.families[text.lower()])
            elif text.upper() in self.ids or text.lower() in self.names:
                out.add(self.policy(text))
            else:
                kind = "policy, family or ALL"
                raise UnknownSelector(f"{self._unknown(text, kind)}{self._suggest(text, families=True)}")
        return frozenset(out)

    @staticmethod
    def _unknown(text: str, kind: str) -> str:
        return f"unknown policy id {text}" if _LOOKS_LIKE_ID.match(text) else f"unknown {kind} {text!r}"

    def _suggest(self, text: str, *, families: bool) -> str:
        if _LOOKS_LIKE_ID.match(text):
            return did_you_mean(text.upper(), self.ids, cutoff=0.8)
        words = did_you_mean(text.lower(), [*self.names, *(self.families if families else ()), ALL.lower()])
        return words or did_you_mean(text.upper(), self.ids, cutoff=0.8)


def did_you_mean(word: str, choices: Iterable[str], cutoff: float = 0.6) -> str:
    """`` (did you mean X?)`` for the closest of ``choices``, or ''."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=cutoff)
    return f" (did you mean {close[0].upper() if close[0] == ALL.lower() else close[0]}?)" if close else ""
