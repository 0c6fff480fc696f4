"""The FAQ matcher: Korean-aware normalisation, a character-gram index, rapidfuzz re-scoring.

Why two steps: rapidfuzz over every paraphrase is accurate but grows linearly with the FAQ;
an IDF-weighted bigram index picks a few dozen candidates in well under a millisecond even at
5,000 entries, and rapidfuzz then compares the query with just their paraphrases.

Normalisation folds what people type differently but mean the same: spacing (비상 저감 조치),
slang and spellings (이부제, 홀짝제 → 2부제), casual endings and particles (됨?, 임?, 차량이 → 차량).
The variants live in knowledge/synonyms.yaml.
"""
from __future__ import annotations

import bisect
import heapq
import math
import re
import unicodedata
from collections import Counter
from re import _constants as sre
from re import _parser as sre_parse
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from .text_dates import YEAR_DIGITS, holiday_pattern

# A score between LEAD_FLOOR × threshold and the threshold is an answer when it is LEAD_RATIO × the runner-up's:
# on both halves of tests/eval +0.6 / +1.1 points of top-1 and no out-of-scope question answered (README)
LEAD_FLOOR, LEAD_RATIO = 0.75, 1.3
# ... or when a naive Bayes reading of the same bigrams puts AGREE_SHARE of its posterior, among the candidates, on
# it: two different readings of the question agree. Top-1 +0 / +1.2 points on the halves of tests/eval and +0 / +1.5
# on those of a blind set, no out-of-scope question answered on either (README); lower floors answered some
AGREE_SHARE = 0.95
BAYES_SMOOTHING, BAYES_TEMPERATURE = 0.3, 5.0
# How many score points the second reading's whole share is worth when candidates are ordered
BAYES_ORDER = 10.0
# An entry that one paraphrase alone comes close to is a weaker match than one that several do: a question built
# from in-scope words but asking something else ("비상저감조치 어기면 벌금 최대 얼마야?") echoes a single paraphrase. A quarter
# of the paraphrase score is the second-closest paraphrase's spelling score, at most SUPPORT_GAP below the best.
# First blind set +5.8 points out of scope, held-out paraphrases +4 / +4 (README)
SUPPORT_SHARE, SUPPORT_GAP = 0.25, 20.0
SORT_SHARE = 0.2  # on both halves of tests/eval: +0.6 / +0.6 points of top-1, one more out-of-scope refusal (README)
NON_WORD = re.compile(r"[^\w\-]+")
HANGUL = re.compile(r"[가-힣]")
# A particle or 하면 / 때 typed straight after a term a rule spelled out ("예저는머임" → 예비저감조치 + 는머임,
# "비상저감조치하면공무원차못씀") starts the next word; not 가능, 도로 or 때문, words of their own
GLUED_PARTICLE = re.compile(r"^(?:은|는|을|를|도(?!로)|가(?!능)|하면|되면|때(?!문)(?:는|도|에)?)([가-힣]{2}.*)$")
YEAR = re.compile(rf"({YEAR_DIGITS})(?:년도?)?")  # a year as typed: 2023, 2023년, 2023년도
STAGE = re.compile(r"[1-8]단계")  # one of the 8 stages, by number
SENTENCE_END = re.compile(r"(?<=[.?!])\s+")
# The question sentence of a message answers alone only for an entry among the whole message's best ASKED_NEAR:
# question sets and held-out unchanged; 4 of the 5 probe answers it changed went right (README)
ASKED_NEAR = 3
JOINT = "\n\ue000\n"  # between texts normalised together (Normaliser.tokens_many)


def asked_sentence(text: str) -> str | None:
    """The one question in a message of statements and a question ("구청 환경과 주무관입니다. 결과보고는 며칠 안에
    올려야 하죠?"), or None. Two questions, or a sentence without a full stop, may each be the one asked."""
    sentences = SENTENCE_END.split(text.strip())
    asked = [s for s in sentences if s.endswith("?")]
    if len(sentences) > 1 and len(asked) == 1 and all(s[-1] in ".!" for s in sentences if s != asked[0]):
        return asked[0]
    return None


def rule_pattern(pattern: str, synonyms: dict) -> str:
    """A rule's regular expression with {tail}, {between}, {holidays_ko} and {holidays_en} spelled out
    (knowledge/synonyms.yaml).

    Casual verbs take dozens of endings (떴어, 뜨면, 떴대요 …); one shared list keeps each rule readable."""
    alt = lambda words: "|".join(map(re.escape, sorted(words, key=len, reverse=True)))  # noqa: E731
    if "{tail}" in pattern:
        pattern = pattern.replace("{tail}", f"(?:{alt(synonyms.get('tails') or [])})?")
    if "{between}" in pattern:
        pattern = pattern.replace("{between}", rf"\s*(?:{alt(synonyms.get('between') or [])})?\s*")
    for script, hangul in (("ko", True), ("en", False)):
        if "{holidays_%s}" % script in pattern:
            words = [w for names in (synonyms.get("holidays") or {}).values() for w in names
                     if bool(HANGUL.search(w)) == hangul]
            pattern = pattern.replace("{holidays_%s}" % script, "|".join(map(holiday_pattern, words)))
    return pattern


def needs_hangul(pattern: str) -> bool:
    """Whether every match of `pattern` contains a Hangul syllable, so the rule can be skipped on English text.

    Read from the parsed expression: a literal or a class of syllables only, required (not optional, not
    inside a lookaround), in every branch. Anything it cannot read counts as 'may match anything'."""
    def syllable(code: int) -> bool:
        return 0xAC00 <= code <= 0xD7A3

    def needs(items) -> bool:
        for op, av in items:
            if op is sre.LITERAL and syllable(av):
                return True
            if op is sre.IN and av and all(o is sre.LITERAL and syllable(v) or o is sre.RANGE and syllable(v[0])
                                           and syllable(v[1]) for o, v in av):
                return True
            if op is sre.SUBPATTERN and needs(av[-1]):
                return True
            if op is sre.BRANCH and all(needs(b) for b in av[1]):
                return True
            if op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and av[0] >= 1 and needs(av[2]):
                return True
        return False

    try:
        return needs(sre_parse.parse(pattern))
    except Exception:  # a Python whose private parser differs: run the rule everywhere, as before
        return False


class Normaliser:
    def __init__(self, synonyms: dict):
        # MULTILINE: ^ and $ then mean the same in one text and in the texts joined by tokens_many
        self.rules = [(re.compile(p, re.MULTILINE), r["to"], needs_hangul(p))
                      for r in synonyms.get("rules", []) for p in [rule_pattern(r["pattern"], synonyms)]]
        endings = sorted(synonyms.get("endings", []), key=len, reverse=True)
        particles = sorted(synonyms.get("particles", []), key=len, reverse=True)
        alt = lambda words: "|".join(map(re.escape, words)) or "(?!)"  # noqa: E731
        # A lazy stem of 2+ syllables before an alternation ending at $ takes the longest suffix
        # that still leaves a word: 경차임 → 경차, but 차임 stays.
        self.ending = re.compile(rf"^(.{{2,}}?)(?:{alt(endings)})$")
        self.particle = re.compile(rf"^(.{{2,}}?)(?:{alt(particles)})$")
        self.only_endings = re.compile(rf"(?:{alt(endings + particles)})+")
        self.stopwords = set(synonyms.get("stopwords", []))
        self.canonical = {w for r in synonyms.get("rules", []) for w in str(r["to"]).split()}
        self.subjects = [frozenset(g) for key in ("subjects", "abroad") for g in synonyms.get(key) or []]
        self._words: dict[str, str] = {}

    def tokens(self, text: str) -> list[str]:
        text = unicodedata.normalize("NFKC", text).lower()
        for pattern, to, _ in self.rules:
            text = pattern.sub(f" {to} ", text)
        return self._words_of(text)

    def tokens_many(self, texts: list[str]) -> list[list[str]]:
        """tokens() of each text, for indexing: each rule runs once over all texts joined (a hundred rules on
        ten thousand paraphrases one by one is a million calls, most of the build).

        The joint is a newline on either side of a private-use character: ^ and $ hold at it as at a text's
        edges, and \\s* in a lookahead stops at it. A match that eats into it would join two texts: that
        rule is then applied text by text."""
        texts = [unicodedata.normalize("NFKC", t).lower() for t in texts]
        if any("\n" in t or JOINT[1] in t for t in texts):
            return [self.tokens(t) for t in texts]
        # English texts (a third of the characters) skip the rules that need a Hangul syllable (most of them)
        korean = [i for i, t in enumerate(texts) if HANGUL.search(t)]
        english = [i for i, t in enumerate(texts) if not HANGUL.search(t)]
        joined = [JOINT.join(texts[i] for i in korean), JOINT.join(texts[i] for i in english)]
        for pattern, to, hangul_only in self.rules:
            before = joined[1]
            for g, members in enumerate((korean, english)):
                if members and not (g and hangul_only):
                    out = pattern.sub(f" {to} ", joined[g])
                    if out.count(JOINT) != len(members) - 1:
                        out = JOINT.join(pattern.sub(f" {to} ", t) for t in joined[g].split(JOINT))
                    joined[g] = out
            if joined[1] != before and HANGUL.search(to):  # an English text given a Korean word takes the Korean rules
                parts = joined[1].split(JOINT)
                moved = {k for k, t in enumerate(parts) if HANGUL.search(t)}
                if moved:
                    joined[0] = JOINT.join(([joined[0]] if korean else []) + [parts[k] for k in sorted(moved)])
                    korean += [english[k] for k in sorted(moved)]
                    english[:] = [i for k, i in enumerate(english) if k not in moved]
                    joined[1] = JOINT.join(t for k, t in enumerate(parts) if k not in moved)
        tokens: list[list[str]] = [[] for _ in texts]
        for g, members in enumerate((korean, english)):
            if members:
                for i, t in zip(members, joined[g].split(JOINT)):
                    tokens[i] = self._words_of(t)
        return tokens

    def _words_of(self, text: str) -> list[str]:
        out = []
        for tok in NON_WORD.sub(" ", text).replace("_", " ").split():
            glued = GLUED_PARTICLE.match(tok) if out and out[-1] in self.canonical else None
            if glued:
                out += self.tokens(glued[1])  # the rest is a word of its own: the rules read it from its start
                continue
            word = self._words.get(tok)
            if word is None:
                if len(self._words) > 100_000:  # users type endless new words; keep the cache bounded
                    self._words.clear()
                word = self._words[tok] = self._word(tok)
            if word:
                out.append(word)
        return out

    def _word(self, tok: str) -> str:
        """One word without its casual ending and particles; '' for a word that carries no meaning."""
        if tok in self.stopwords:
            return ""
        if not HANGUL.search(tok):
            return tok
        if self.only_endings.fullmatch(tok):
            return ""  # a bare ending or particle split off by spacing: 됨, 임, 되나요, 는요
        for pattern in (self.ending, self.particle, self.particle):
            m = pattern.match(tok)
            if m:
                tok = m[1]
        return tok


def grams(compact: str, words: list[str]) -> set[str]:
    """Character bigrams of the compact form plus whole words (for English)."""
    out = {compact[i:i + 2] for i in range(len(compact) - 1)}
    out.update("w:" + w for w in words if not HANGUL.search(w) and len(w) > 2)
    return out


@dataclass
class Match:
    entry: dict
    score: float
    question: str


class FaqMatcher:
    """Finds the FAQ entry a question means, or nothing when none is close enough.

    Three steps: the bigram index picks candidates; rapidfuzz scores the query against each
    candidate's paraphrases; the score is then scaled by how many of the query's words the entry
    knows (in its paraphrases or its answer). The last step is what refuses near-domain questions
    such as "비상저감조치 위반하면 벌금 얼마?": every word but 벌금/얼마 fits some entry, and no entry
    speaks of a fine, so the bot says it has no answer instead of answering something else.
    A score a little below the threshold is still an answer when the entry leads the others clearly, or when
    a second reading of the question (bayes_shares) agrees on it. That reading also orders near-ties.
    """

    def __init__(self, entries: list[dict], synonyms: dict, *, sources: dict | None = None, threshold: float = 34.0,
                 candidates: int = 24, rescored: int = 5, known_tokens: dict | None = None):
        """`known_tokens`: text → tokens from an earlier build under the same synonyms and code; only the texts it
        lacks go through the rules, and on return it holds this build's texts alone (for the next build)."""
        self.norm = Normaliser(synonyms)
        self.threshold = threshold
        self.candidates = candidates
        self.rescored = rescored
        self.entries = entries
        # per entry, three parallel lists: the paraphrases as written, compact (no spaces), and words joined by spaces
        self.questions: list[tuple[list[str], list[str], list[str]]] = []
        self.vocab: list[list[str]] = []  # per entry: the words of its paraphrases and answer
        self.years: list[set[str]] = []  # per entry: the years (2019, 2020 …) its words name
        postings: dict[str, list[int]] = {}
        # beside postings: how many of the entry's paraphrases have the gram (bytes: the cached index stays small)
        counts: dict[str, bytearray] = {}
        self.gram_total: list[int] = []  # per entry: the sum of its counts
        texts = [(idx, q, True) for idx, e in enumerate(entries) for q in e["questions"]["ko"] + e["questions"]["en"]]
        texts += [(idx, " ".join(a.split()), False) for idx, e in enumerate(entries) for a in (e.get("answer") or {}).values()]
        per_entry = [[] for _ in entries]
        raw = [t for _, t, _ in texts]
        if known_tokens is None:
            all_tokens = self.norm.tokens_many(raw)
        else:
            missing = [t for t in dict.fromkeys(raw) if t not in known_tokens]
            made = dict(zip(missing, self.norm.tokens_many(missing)))
            all_tokens = [known_tokens[t] if t in known_tokens else made[t] for t in raw]
            known_tokens.clear()
            known_tokens.update(zip(raw, all_tokens))
        for (idx, text, is_question), toks in zip(texts, all_tokens):
            per_entry[idx].append((text, is_question, toks))
        for idx, found in enumerate(per_entry):
            qs, entry_grams, words = [], Counter(), set()
            for q, is_question, toks in found:
                words.update(toks)
                # "preliminary days" is about a preliminary-measure entry: the parts of a joined term count as known
                words.update(part for tok in toks if "-" in tok for part in tok.split("-") if part)
                if is_question:
                    compact = "".join(toks)
                    qs.append((q, compact, " ".join(toks)))
                    entry_grams.update(grams(compact, toks))
            self.questions.append(tuple(map(list, zip(*qs))) if qs else ([], [], []))
            self.vocab.append(sorted(words))
            # "2019년 지침의 발령조건": the year of the cited document counts as named too
            titles = str((sources or {}).get((entries[idx].get("source") or {}).get("doc"), {}).get("title"))
            self.years.append({m[1] for w in words for m in [YEAR.match(w)] if m}
                              | {m[1] for m in YEAR.finditer(titles)})
            for g, c in entry_grams.items():
                postings.setdefault(g, []).append(idx)
                counts.setdefault(g, bytearray()).append(min(c, 255))
            self.gram_total.append(sum(entry_grams.values()))
        # a question typed exactly as one of an entry's paraphrases (after the rules) keeps that entry a candidate,
        # however many others share its words ("2부제" alone ties with every entry that says 2부제; the cut dropped it)
        self.exact: dict[str, list[int]] = {}
        for idx, (_, compacts, _) in enumerate(self.questions):
            for c in dict.fromkeys(compacts):
                self.exact.setdefault(c, []).append(idx)
        n = max(len(entries), 1)
        self.idf = {g: math.log(1 + n / len(p)) for g, p in postings.items()}
        self.postings = postings
        self.counts = {g: bytes(c) for g, c in counts.items()}

    def match(self, text: str) -> tuple[Match | None, list[Match]]:
        """The best match above the threshold (or None) and the runners-up, best first."""
        best, ranked = self._match(text)
        question = asked_sentence(text) if best is None else None
        if question:
            # "임신 6개월인데 시청 다녀요. 홀짝제 예외 받으려면 어떤 서류 내면 되나요?": who is asking dilutes what is
            # asked. The question alone answers when it is sure of an entry the whole message ranked near the top
            near = {id(m.entry) for m in ranked[:ASKED_NEAR]}
            alone, alone_ranked = self._match(question)
            if alone is not None and id(alone.entry) in near:
                return alone, alone_ranked
        return best, ranked

    def _match(self, text: str) -> tuple[Match | None, list[Match]]:
        toks = self.norm.tokens(text)
        compact = "".join(toks)
        if len(compact) < 2:
            return None, []
        q_grams = grams(compact, toks)
        total = sum(self.idf.get(g, math.log(1 + len(self.entries))) for g in q_grams) or 1.0
        top_candidates = self.shortlist(q_grams)
        shortlisted = {idx for idx, _ in top_candidates}
        typed = self.exact.get(compact, ())  # the entries that have the question itself as a paraphrase
        top_candidates += [(idx, total) for idx in typed if idx not in shortlisted]
        if not top_candidates:
            return None, []
        joined = " ".join(toks)
        scored = []
        for idx, ov in top_candidates:
            coverage = ov / total
            originals, compacts, joineds = self.questions[idx]
            best, best_q = 0.0, ""
            if compacts:  # each rapidfuzz call below is one loop in C over the entry's paraphrases
                closest = process.extract(compact, compacts, scorer=fuzz.ratio, limit=2)
                _, best, at = closest[0]
                best_q = originals[at]
                runner_up = closest[1][1] if len(closest) > 1 else 0.0
                # token_set_ratio is 100 whenever the query's words are a subset of the paraphrase's, however
                # much more it says ("conditions" in "early release conditions"); a share of token_sort_ratio
                # prefers the paraphrase that says no more than was asked. Only paraphrases whose word score
                # could beat the best spelling score are looked at again.
                cut = (best / 0.95 - 100 * SORT_SHARE) / (1 - SORT_SHARE)
                if cut <= 100:
                    for _, words, i in process.extract(joined, joineds, scorer=fuzz.token_set_ratio,
                                                       score_cutoff=max(cut, 0), limit=None):
                        s = 0.95 * (words * (1 - SORT_SHARE) + fuzz.token_sort_ratio(joined, joineds[i]) * SORT_SHARE)
                        if s > best:
                            best, best_q = s, originals[i]
                best = (1 - SUPPORT_SHARE) * best + SUPPORT_SHARE * max(runner_up, best - SUPPORT_GAP)
            scored.append((0.65 * best + 35 * coverage, idx, best_q))
        years = [part for tok in toks for part in tok.split("-") if YEAR.fullmatch(part)]  # also a season: 2025-26
        stages = [tok for tok in toks if STAGE.fullmatch(tok)]
        subjects = [w for group in self.norm.subjects if not group.isdisjoint(toks) for w in group]

        def fits(idx: int) -> bool:
            # A year the entry never names (the documents say nothing of that year's season), stages of which it
            # names none ("4단계 몇시 시작"), or subjects of which it names none (임산부 asked, 경차 answered):
            # the entry answers another question.
            return (all(self._knows(idx, y) for y in years) and (not stages or any(self._knows(idx, t) for t in stages))
                    and (not subjects or any(self._uses(idx, w) for w in subjects)))

        fit = {idx: fits(idx) for _, idx, _ in scored} if years or stages or subjects else None
        # the entries that fit are re-scored first: five closer ones that do not fit hid the one that does
        scored.sort(key=lambda r: (fit is None or fit[r[1]], r), reverse=True)
        ranked = []
        for score, idx, best_q in scored[: self.rescored]:
            known = sum(self._knows(idx, tok) for tok in toks) / len(toks)
            if fit is not None and not fit[idx]:
                known = 0.0
            ranked.append((score * known, idx, best_q))
        # The second reading breaks near-ties: of two entries whose closest paraphrases score alike, the one whose
        # paraphrases as a whole use the question's words more is meant (예비 vs 비상, PM2.5 vs PM10). It orders the
        # candidates but raises no score: the first must still pass the threshold, lead or agree on its own score.
        # A question typed exactly as one of an entry's paraphrases is that entry's first of all, unless a rule
        # above zeroed it: "PM10 주의보 기준" is a PM10 paraphrase, and the second reading preferred PM2.5's.
        cands = [idx for idx, _ in top_candidates]
        share = dict(zip(cands, self.bayes_shares(q_grams, cands)))
        ranked.sort(key=lambda r: (r[0] > 0 and r[1] in typed, r[0] + BAYES_ORDER * share[r[1]] * (r[0] > 0)),
                    reverse=True)
        top = ranked[0][0]
        # Below the threshold, an entry that clearly leads the others is still the one meant: casual words the
        # FAQ never uses ("맘대로 다녀도됨") pull every score down alike, and a lead survives that. So does the
        # agreement of a second reading. A lone candidate has neither a lead nor agreement to show.
        sure = top >= self.threshold or (len(ranked) > 1 and top >= self.threshold * LEAD_FLOOR and (
            top >= ranked[1][0] * LEAD_RATIO
            or share[ranked[0][1]] >= AGREE_SHARE))
        matches = [Match(self.entries[idx], score, best_q) for score, idx, best_q in ranked]
        return (matches[0] if sure else None), matches

    def shortlist(self, q_grams: set[str]) -> list[tuple[int, float]]:
        """The entries sharing the most IDF-weighted bigrams with the query (the candidates), best first,
        as (index, shared weight)."""
        # a list indexed by entry, not a dict: at 5,000 entries a question visits some 13,000 postings
        overlap = [0.0] * len(self.entries)
        for g in q_grams:
            w = self.idf.get(g)
            if w is not None:
                for idx in self.postings[g]:
                    overlap[idx] += w
        ranked = [(idx, overlap[idx]) for idx in heapq.nlargest(self.candidates + 1, range(len(overlap)),
                                                                 key=overlap.__getitem__) if overlap[idx] > 0]
        if len(ranked) > self.candidates and ranked[self.candidates][1] >= ranked[self.candidates - 1][1] - 1e-9:
            # Entries tied at the cut ("what is an emergency measure": one word a hundred entries share) would be
            # cut in file order; keep those whose paraphrases use the query's bigrams most often instead.
            last = ranked[self.candidates - 1][1]
            low, high = last - 1e-9, last + 1e-9
            tied = sorted(((idx, v) for idx, v in enumerate(overlap) if low <= v <= high),
                          key=lambda kv: self._typical(q_grams, kv[0]), reverse=True)
            ranked = [kv for kv in ranked if kv[1] > high] + tied
        return ranked[: self.candidates]

    def _count(self, g: str, idx: int) -> int:
        """How many of entry `idx`'s paraphrases have bigram `g` (0 for none)."""
        ids = self.postings.get(g, ())
        at = bisect.bisect_left(ids, idx)
        return self.counts[g][at] if at < len(ids) and ids[at] == idx else 0

    def _typical(self, q_grams: set[str], idx: int) -> float:
        """How often, per paraphrase, entry `idx` uses the query's bigrams (IDF-weighted)."""
        used = sum(self.idf[g] * self._count(g, idx) for g in q_grams if g in self.idf)
        return used / max(len(self.questions[idx][0]), 1)

    def bayes_shares(self, q_grams: set[str], candidates: list[int]) -> list[float]:
        """The naive Bayes posterior over `candidates`, one share per candidate.

        Each entry is a bag of its paraphrases' bigrams; a query bigram's log-likelihood is weighted by its IDF as
        in the index. It reads the question differently from the paraphrase scores above: every paraphrase
        counts, not the closest one, so a question phrased unlike any single paraphrase still finds its entry."""
        vocabulary = len(self.postings)
        known = [(g, self.idf[g]) for g in q_grams if g in self.idf]  # a gram no entry has weighs on all alike
        weight = sum(w for _, w in known)
        logs = []
        for idx in candidates:
            score = -weight * math.log(self.gram_total[idx] + BAYES_SMOOTHING * vocabulary)
            for g, w in known:
                score += w * math.log(self._count(g, idx) + BAYES_SMOOTHING)
            logs.append(score / BAYES_TEMPERATURE)
        top = max(logs)
        shares = [math.exp(v - top) for v in logs]
        total = sum(shares)
        return [v / total for v in shares]

    def _uses(self, idx: int, word: str) -> bool:
        """Whether entry `idx` uses `word` itself, in its paraphrases or its answer."""
        vocab = self.vocab[idx]
        pos = bisect.bisect_left(vocab, word)
        return pos < len(vocab) and vocab[pos] == word

    def _knows(self, idx: int, word: str) -> bool:
        """Whether entry `idx` uses `word`: as is, as the stem of a longer form, or with a typo. A year is known
        only as itself (2023 is no typo of 2020), from the entry's words or its document's date."""
        year = YEAR.fullmatch(word)
        if year:
            return year[1] in self.years[idx]
        if self._uses(idx, word):
            return True
        vocab = self.vocab[idx]
        if word in self.norm.canonical or any(c.isdigit() for c in word):
            return False  # a term the rules made, or a number (5단계 is no typo of 단계 or 3단계), only as itself
        # 발령되면 → 발령: a known word that begins the query word (Korean verbs keep their stem). An English
        # word's stem has 4+ letters: "username" does not begin with a known "use"
        if any(vocab[p] == word[:n] for n in range(len(word) - 1, 1 if HANGUL.match(word) else 3, -1)
               for p in [bisect.bisect_left(vocab, word[:n])] if p < len(vocab)):
            return True
        return process.extractOne(word, vocab, scorer=fuzz.ratio, score_cutoff=80) is not None
