"""Sets of strings a condition admits, and the question "is there a string in all of these?".

A trust policy constrains a token's `sub` and `aud` with literals (StringEquals), globs (StringLike),
case-insensitive literals and their negations, ANDed and ORed. Each of those is a regular language, so
"can some token IAM would accept come from another project?" is the emptiness of a boolean combination
of regular languages, decided exactly here by walking the product of the (lazily determinised) automata;
the walk is breadth-first, so it also yields the shortest witness string.

The alphabet is symbolic: the characters the languages name literally, plus one stand-in for every other
character (an alphanumeric no language names). Every character class used here contains all
alphanumerics, so the stand-in is accepted wherever any unnamed character would be. Pure: no I/O.
"""

from __future__ import annotations

import string
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

CharTest = Callable[[str], bool]

_STAND_IN_CANDIDATES = "xqzjkvwybfghmnprtsdclaeiou" + string.digits + string.ascii_uppercase


class LanguageTooComplex(Exception):
    """The search ran out of its budget; the caller treats the answer as unknown."""


@dataclass
class Budget:
    """Work several searches may spend together: product states visited, and automaton work (states
    touched while determinising). Policies are written by anyone who opens a merge request, so no
    policy may make the analysis run for long."""

    states: int = 20_000  # realistic trust policies need about 1,000
    work: int = 200_000  # and about 4,000


# --- patterns ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CharSet:
    """One character: `test` decides membership; `named` are the characters it names literally."""

    test: CharTest
    named: frozenset[str] = frozenset()
    label: str = "?"


@dataclass(frozen=True)
class Pattern:
    """A regular expression tree: kind is 'char', 'seq', 'alt', 'star' or 'empty' (the empty string)."""

    kind: str
    chars: CharSet | None = None
    parts: tuple[Pattern, ...] = ()


ANY = CharSet(lambda _c: True, label="*")
EPSILON = Pattern("empty")


def char(c: str, *, ignore_case: bool = False) -> Pattern:
    if ignore_case and c.lower() != c.upper():
        variants = frozenset({c.lower(), c.upper(), c.casefold()})
        return Pattern("char", CharSet(lambda x: x.casefold() == c.casefold(), variants, c))
    return Pattern("char", CharSet(lambda x: x == c, frozenset({c}), c))


def char_class(test: CharTest, label: str) -> Pattern:
    return Pattern("char", CharSet(test, label=label))


def seq(*parts: Pattern) -> Pattern:
    return Pattern("seq", parts=parts)


def alt(*parts: Pattern) -> Pattern:
    return Pattern("alt", parts=parts)


def star(part: Pattern) -> Pattern:
    return Pattern("star", parts=(part,))


def plus(part: Pattern) -> Pattern:
    return seq(part, star(part))


def literal(text: str, *, ignore_case: bool = False) -> Pattern:
    return seq(*(char(c, ignore_case=ignore_case) for c in text))


def glob(segments: Iterable[tuple[str, bool]], *, ignore_case: bool = False) -> Pattern:
    """IAM wildcards (`*` any run, `?` one character) in the non-literal segments; literal ones as is."""
    parts: list[Pattern] = []
    for text, is_literal in segments:
        for c in text:
            if not is_literal and c == "*":
                parts.append(star(Pattern("char", ANY)))
            elif not is_literal and c == "?":
                parts.append(Pattern("char", ANY))
            else:
                parts.append(char(c, ignore_case=ignore_case))
    return seq(*parts)


ANY_STRING = star(Pattern("char", ANY))
NON_EMPTY = plus(Pattern("char", ANY))


# --- languages: boolean combinations of patterns ------------------------------------------------------


class Lang:
    """A set of strings: an automaton (`Atom`), or `And` / `Or` / `Not` of languages."""

    def __and__(self, other: Lang) -> Lang:
        return And((self, other))

    def __or__(self, other: Lang) -> Lang:
        return Or((self, other))

    def __invert__(self) -> Lang:
        return Not(self)


@dataclass(frozen=True, eq=False)
class Atom(Lang):
    nfa: _Nfa


@dataclass(frozen=True, eq=False)
class And(Lang):
    parts: tuple[Lang, ...]


@dataclass(frozen=True, eq=False)
class Or(Lang):
    parts: tuple[Lang, ...]


@dataclass(frozen=True, eq=False)
class Not(Lang):
    part: Lang


def lang(pattern: Pattern) -> Lang:
    return Atom(_compile(pattern))


def all_of(parts: Sequence[Lang]) -> Lang:
    return parts[0] if len(parts) == 1 else And(tuple(parts)) if parts else UNIVERSE


def any_of(parts: Sequence[Lang]) -> Lang:
    return parts[0] if len(parts) == 1 else Or(tuple(parts)) if parts else EMPTY


def witness(language: Lang, *, budget: Budget | None = None) -> str | None:
    """The shortest string in `language` (ties broken by alphabet order), or None when it is empty.

    Raises LanguageTooComplex when the search exhausts `budget` (a fresh default one when None)."""
    budget = budget or Budget()
    atoms: list[Atom] = []
    _collect(language, atoms)
    alphabet = _alphabet(atoms)
    stand_in = _stand_in(atoms)
    index = {id(atom): i for i, atom in enumerate(atoms)}
    steps = [atom.nfa.step for atom in atoms]
    start = tuple(atom.nfa.start_id for atom in atoms)
    parents: dict[tuple[int, ...], tuple[tuple[int, ...], str] | None] = {start: None}
    queue = deque([start])
    work = sum(atom.nfa.work for atom in atoms)
    while queue:
        state = queue.popleft()
        spent = sum(atom.nfa.work for atom in atoms)
        budget.work -= spent - work
        work = spent
        if budget.work < 0:
            raise LanguageTooComplex("the automata grew too large")
        verdict = _holds(language, state, index, atoms)
        if verdict is True:
            return _spell(state, parents)
        if verdict is False and _settled(language, state, index, atoms) is False:
            continue  # no continuation can make it true: a required automaton is dead
        pairs = list(zip(steps, state, strict=True))
        # Only characters some automaton names from its current states can tell a difference here; any
        # other character takes the stand-in's way, or a subset of it, in automata used positively
        # (character classes appear only there), so trying the stand-in for them loses no witness.
        named: set[str] = set()
        for atom, s in zip(atoms, state, strict=True):
            named |= atom.nfa.named_from(s)
        for c in [c for c in alphabet if c in named or c == stand_in]:
            following = tuple([step(s, c) for step, s in pairs])
            if following not in parents:
                budget.states -= 1
                if budget.states < 0:
                    raise LanguageTooComplex("too many automaton states")
                parents[following] = (state, c)
                queue.append(following)
    return None


def is_empty(language: Lang) -> bool:
    return witness(language) is None


def _collect(language: Lang, atoms: list[Atom]) -> None:
    if isinstance(language, Atom):
        if all(a is not language for a in atoms):
            atoms.append(language)
    elif isinstance(language, And | Or):
        for part in language.parts:
            _collect(part, atoms)
    elif isinstance(language, Not):
        _collect(language.part, atoms)


def _stand_in(atoms: Sequence[Atom]) -> str | None:
    named: set[str] = set()
    for atom in atoms:
        named |= atom.nfa.named
    return next((c for c in _STAND_IN_CANDIDATES if c not in named), None)


def _alphabet(atoms: Sequence[Atom]) -> list[str]:
    named: set[str] = set()
    for atom in atoms:
        named |= atom.nfa.named
    stand_in = next((c for c in _STAND_IN_CANDIDATES if c not in named), None)
    return ([stand_in] if stand_in else []) + sorted(named)  # the stand-in first: readable witnesses


def _holds(language: Lang, state: tuple[int, ...], index: dict[int, int], atoms: Sequence[Atom]) -> bool:
    """Whether the string read so far is in `language`."""
    if isinstance(language, Atom):
        return language.nfa.accepts(state[index[id(language)]])
    if isinstance(language, And):
        return all(_holds(part, state, index, atoms) for part in language.parts)
    if isinstance(language, Or):
        return any(_holds(part, state, index, atoms) for part in language.parts)
    if isinstance(language, Not):
        return not _holds(language.part, state, index, atoms)
    raise TypeError(f"not a language: {language!r}")


def _settled(
    language: Lang, state: tuple[int, ...], index: dict[int, int], atoms: Sequence[Atom]
) -> bool | None:
    """Whether `language` holds for every continuation (True), for none (False), or it depends (None):
    only dead automata (no continuation accepts) are settled."""
    if isinstance(language, Atom):
        return False if language.nfa.dead(state[index[id(language)]]) else None
    if isinstance(language, Not):
        inner = _settled(language.part, state, index, atoms)
        return None if inner is None else not inner
    values = [_settled(part, state, index, atoms) for part in language.parts]  # type: ignore[attr-defined]
    if isinstance(language, And):
        return False if False in values else True if all(v is True for v in values) else None
    return True if True in values else False if all(v is False for v in values) else None


def _spell(state: tuple[int, ...], parents: dict[tuple[int, ...], tuple[tuple[int, ...], str] | None]) -> str:
    chars: list[str] = []
    link = parents[state]
    while link is not None:
        state, c = link
        chars.append(c)
        link = parents[state]
    return "".join(reversed(chars))


# --- automata ------------------------------------------------------------------------------------------


@dataclass
class _Nfa:
    """Thompson automaton: `moves[s]` are (CharSet, target); `empty[s]` the epsilon targets. Reading it
    determinises lazily: each set of NFA states gets an id (0 is the empty set: dead)."""

    moves: list[list[tuple[CharSet, int]]] = field(default_factory=list)
    empty: list[list[int]] = field(default_factory=list)
    final: int = 0
    named: frozenset[str] = frozenset()
    start_id: int = 0
    _sets: list[frozenset[int]] = field(default_factory=lambda: [frozenset()])
    _ids: dict[frozenset[int], int] = field(default_factory=lambda: {frozenset(): 0})
    _rows: list[dict[str, int]] = field(default_factory=lambda: [{}])  # per set id: char -> next set id
    _named_from: list[frozenset[str]] = field(default_factory=list)
    work: int = 0  # NFA states touched while determinising (see Budget)

    def new_state(self) -> int:
        self.moves.append([])
        self.empty.append([])
        return len(self.moves) - 1

    def closure(self, states: Iterable[int]) -> frozenset[int]:
        seen = set(states)
        stack = list(seen)
        while stack:
            for target in self.empty[stack.pop()]:
                if target not in seen:
                    seen.add(target)
                    stack.append(target)
        return frozenset(seen)

    def intern(self, states: frozenset[int]) -> int:
        known = self._ids.get(states)
        if known is None:
            known = self._ids[states] = len(self._sets)
            self._sets.append(states)
            self._rows.append({})
        return known

    def step(self, state: int, c: str) -> int:
        row = self._rows[state]
        cached = row.get(c)
        if cached is None:
            current = self._sets[state]
            self.work += len(current) + 1
            targets = self.closure(t for s in current for chars, t in self.moves[s] if chars.test(c))
            cached = row[c] = self.intern(targets)
        return cached

    def named_from(self, state: int) -> frozenset[str]:
        """The characters the transitions out of this state set name literally."""
        while len(self._named_from) < len(self._sets):
            states = self._sets[len(self._named_from)]
            self._named_from.append(
                frozenset(c for s in states for chars, _ in self.moves[s] for c in chars.named)
            )
        return self._named_from[state]

    def accepts(self, state: int) -> bool:
        return self.final in self._sets[state]

    def dead(self, state: int) -> bool:
        return state == 0


def _compile(pattern: Pattern) -> _Nfa:
    nfa = _Nfa()
    named: set[str] = set()
    start = nfa.new_state()
    nfa.final = _build(nfa, pattern, start, named)
    nfa.start_id = nfa.intern(nfa.closure([start]))
    nfa.named = frozenset(named)
    return nfa


def _build(nfa: _Nfa, pattern: Pattern, start: int, named: set[str]) -> int:
    """Add `pattern` from state `start`; returns its end state."""
    if pattern.kind == "empty":
        return start
    if pattern.kind == "char":
        assert pattern.chars is not None
        named |= pattern.chars.named
        end = nfa.new_state()
        nfa.moves[start].append((pattern.chars, end))
        return end
    if pattern.kind == "seq":
        end = start
        for part in pattern.parts:
            end = _build(nfa, part, end, named)
        return end
    if pattern.kind == "alt":
        end = nfa.new_state()
        for part in pattern.parts:
            branch = nfa.new_state()
            nfa.empty[start].append(branch)
            nfa.empty[_build(nfa, part, branch, named)].append(end)
        if not pattern.parts:
            return nfa.new_state()  # no alternative: an end nothing reaches
        return end
    if pattern.kind == "star":
        loop = nfa.new_state()
        nfa.empty[start].append(loop)
        nfa.empty[_build(nfa, pattern.parts[0], loop, named)].append(loop)
        return loop
    raise ValueError(f"unknown pattern kind {pattern.kind!r}")


UNIVERSE: Lang = lang(ANY_STRING)
EMPTY: Lang = Not(UNIVERSE)
