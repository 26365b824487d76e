"""Fence untrusted text for a judge: nothing inside may close or imitate the fence markers.

Our judge prompts put the material to be judged between ``<<<NAME>>>`` and ``<<<END NAME>>>``
lines; EM's own prompts use ``[ANSWER START]`` / ``[ANSWER END]``. A response that writes such
a marker could end the fence early and address the judge directly. Before a text is placed in
a prompt:

- look-alikes are made plain first: full-width and other angle-bracket and square-bracket
  homoglyphs ("＜", "‹", "〈", "≪", "［", "【") count as the ASCII character, and invisible
  characters (zero-width spaces and joiners, word joiners, soft hyphens, direction marks,
  variation selectors) between them are dropped;
- then every run of three or more angle brackets is spaced out ("<<<" -> "< < <"), and every
  bracketed ``ANSWER/QUESTION START/END`` tag gets round brackets.

Single look-alike characters elsewhere (French quotes « », a lone "‹") are left as written.
"""

from __future__ import annotations

import re
import unicodedata

_LEFT_ANGLES = "<＜﹤‹〈〈⟨❮❬ᐸ˂《«≪⋘"
_RIGHT_ANGLES = ">＞﹥›〉〉⟩❯❭ᐳ˃》»≫⋙"
_DOUBLE = {"《": 2, "«": 2, "≪": 2, "⋘": 3, "》": 2, "»": 2, "≫": 2, "⋙": 3}
"""Look-alikes that read as more than one bracket."""
_INVISIBLE = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0"
)
MARKER_RUN = 3
"""Our markers open and close with three brackets; shorter runs ("«", "a << b") stay."""
_INVISIBLE_CHARS = re.compile(f"[{_INVISIBLE}]")
_ANGLE_RUN = re.compile(
    f"[{re.escape(_LEFT_ANGLES)}](?:[{_INVISIBLE}]*[{re.escape(_LEFT_ANGLES)}])*"
    f"|[{re.escape(_RIGHT_ANGLES)}](?:[{_INVISIBLE}]*[{re.escape(_RIGHT_ANGLES)}])*"
)
_EM_TAG = re.compile(r"[\[［【〚⟦⁅]([^\[\]［］【】〚〛⟦⟧⁅⁆\n]{1,60})[\]］】〛⟧⁆]")
_EM_TAG_WORDS = frozenset({"answerstart", "answerend", "questionstart", "questionend"})


def _bracket_count(run: str) -> int:
    return sum(_DOUBLE.get(char, 1) for char in run if not _INVISIBLE_CHARS.match(char))


def _space_out(match: re.Match[str]) -> str:
    run = match.group()
    count = _bracket_count(run)
    if count < MARKER_RUN:
        return run
    bracket = "<" if run[0] in _LEFT_ANGLES else ">"
    return " ".join(bracket * count)


def neutralise_markers(text: str) -> str:
    """Break any run of angle brackets (or their look-alikes) so it cannot close our fences."""
    return _ANGLE_RUN.sub(_space_out, text)


def neutralise_em_markers(text: str) -> str:
    """Break EM's ``[ANSWER END]``-style tags (and look-alikes) so they cannot close its fences."""

    def rebracket(match: re.Match[str]) -> str:
        inside = unicodedata.normalize("NFKC", _INVISIBLE_CHARS.sub("", match.group(1)))
        if "".join(inside.split()).lower() in _EM_TAG_WORDS:
            return f"({inside.strip()})"
        return match.group()

    return _EM_TAG.sub(rebracket, text)
