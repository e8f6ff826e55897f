"""Match probability: Fellegi–Sunter with m estimated by EM, u from random pairs.

Why Fellegi–Sunter by EM and not a supervised model: a county arrives with no
labels, and the m/u weights per agreement level are numbers an inspector can
read. Why our own small EM rather than `recordlinkage.ECMClassifier`: ECM takes
only binary features and has no NULL level, so "no identity number" would count
as disagreement and a cremation record without a number could never link. Here
(as in Splink) a NULL level contributes nothing; u is estimated on random
record pairs drawn with `recordlinkage.index.Random` (blocked pairs would make
a shared birth date look common); m and the match share λ per source pair are
estimated by EM on the candidate pairs, with u held fixed. λ is the chance that
two random records of the source pair match (pairs outside the blocks count as
non-matches), so agreement must outweigh the size of the county: a cremation
record's name + age + village outweighs it, name + age alone in another town
does not.

One veto sits on top: two *valid* numbers that differ are two people. Each
number is issued once and MOD 11-2 turns every one-digit typo into an invalid
number, so no amount of name and birth agreement can overrule it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from matching.compare import FIELDS, LEVELS, NULL

# Prior m (share among true matches) per level: EM starts here and, as a Dirichlet
# prior worth M_PRIOR_PAIRS pairs, keeps a small county from learning that a
# different birth date is common among matches because one clerk erred.
M_PRIOR: dict[str, tuple[float, ...]] = {
    "id": (0.95, 0.02, 0.028, 0.002),
    "name": (0.93, 0.04, 0.025, 0.005),
    "birth": (0.97, 0.028, 0.002),
    "age": (0.98, 0.02),
    "sex": (0.995, 0.005),
    "region": (0.85, 0.1, 0.045, 0.005),
    "town": (0.95, 0.045, 0.005),
    # People move, and a death may be reported at a nursing home: one match in
    # ten at another address is the policy prior (held fixed, as for every field).
    "address": (0.8, 0.05, 0.05, 0.1),
}
M_PRIOR_PAIRS = 50.0
SMOOTH = 1.0  # Laplace count added to every u level: keeps weights finite
M_FLOOR = 1e-4
SHARE_MAX = 0.95  # even a death record may belong to no one we know


@dataclass
class FellegiSunter:
    """Fit on comparison levels; `prob` gives P(match | levels, source pair)."""

    max_iter: int = 50
    tol: float = 1e-5
    m_: dict[str, np.ndarray] = field(default_factory=dict)
    u_: dict[str, np.ndarray] = field(default_factory=dict)
    lambda_: dict[str, float] = field(default_factory=dict)
    share_: dict[str, float] = field(default_factory=dict)  # per group: share of right records with a partner

    def fit_u(self, random_levels: pd.DataFrame) -> FellegiSunter:
        """u per level from comparison levels of random (almost surely non-matching) pairs."""
        for f in FIELDS:
            counts = np.bincount(_known(random_levels[f]), minlength=len(LEVELS[f])).astype(float)
            self.u_[f] = (counts + SMOOTH) / (counts.sum() + SMOOTH * len(counts))
        return self

    def fit(self, levels: pd.DataFrame, group: pd.Series, sizes: dict[str, tuple[int, int]]) -> FellegiSunter:
        """EM for m (shared) and λ (per group = source pair) with u fixed. Call fit_u first.

        `sizes[g]` is (n_left, n_right) of group g (equal for a deduplication).
        λ is the chance that two random records match, as in Splink, so a
        common name in a big county needs more agreement than in a small one.
        """
        possible = {g: a * (a - 1) / 2 if _is_dedup(g) else a * b for g, (a, b) in sizes.items()}
        pattern = levels[list(FIELDS)].assign(_g=group.to_numpy())
        uniq = pattern.value_counts().reset_index(name="n")  # a few hundred rows at most
        n = uniq["n"].to_numpy(float)
        groups = uniq["_g"].to_numpy()
        prior = {f: np.asarray(M_PRIOR[f], dtype=float) for f in FIELDS}
        self.m_ = dict(prior)
        self.lambda_ = {g: float(min(0.5 * n[groups == g].sum() / possible[g], 0.5)) for g in np.unique(groups)}
        for _ in range(self.max_iter):
            w = self._posterior(uniq, groups) * n
            new_m = {}
            for f in FIELDS:
                lv = uniq[f].to_numpy()
                known = lv != NULL
                counts = np.bincount(lv[known], weights=w[known], minlength=len(LEVELS[f])).astype(float)
                smoothed = counts + M_PRIOR_PAIRS * prior[f]
                new_m[f] = _with_fixed_disagreement(f, np.maximum(smoothed / smoothed.sum(), M_FLOOR), prior[f])
            new_lambda = {g: float(np.clip(w[groups == g].sum() / possible[g], 1e-12, 0.5)) for g in self.lambda_}
            shift = max(float(np.abs(new_m[f] - self.m_[f]).max()) for f in FIELDS)
            self.m_, self.lambda_ = new_m, new_lambda
            if shift < self.tol:
                break
        self.share_ = {}
        for g, lam in self.lambda_.items():
            self.share_[g] = 0.0 if _is_dedup(g) else min(lam * possible[g] / sizes[g][1], SHARE_MAX)
        return self

    def match_weight(self, levels: pd.DataFrame) -> np.ndarray:
        """Sum of log2(m/u) over non-NULL fields (the Fellegi–Sunter weight)."""
        total = np.zeros(len(levels))
        for f in FIELDS:
            lv = levels[f].to_numpy()
            known = lv != NULL
            weights = np.log2(self.m_[f] / self.u_[f])
            weights[-1] = min(weights[-1], 0.0)  # a disagreement is never evidence for a match
            total[known] += weights[lv[known]]
        return total

    def _posterior(self, levels: pd.DataFrame, groups: np.ndarray) -> np.ndarray:
        lam = np.array([self.lambda_.get(g, 1e-6) for g in groups])
        log_odds = np.log2(lam / (1 - lam)) + self.match_weight(levels)
        return 1.0 / (1.0 + np.exp2(-np.clip(log_odds, -60, 60)))

    def prob(self, levels: pd.DataFrame, group: str, pos_r: np.ndarray, person_l: np.ndarray,
             both_valid_ids: np.ndarray) -> np.ndarray:  # fmt: skip
        """P(match) of each candidate pair of one source pair, given the other candidates.

        A right-hand record (a death, a property, a registry entry) belongs to
        one person or to no one we hold (share λ_r of them have a partner): P(k~i)
        = λ L_ki / ((1 - λ_r) + λ Σ_j L_kj), with L = 2^weight and the sum over
        k's candidate persons (`person_l`: rows with one valid number are one
        person, scored by their best row; records outside the blocks have L ≈ 0). A cremation record whose only
        namesake of that age is one person links; with two such namesakes each
        gets about one half and neither links. For a deduplication this is the
        plain Fellegi–Sunter posterior.
        """
        lam = self.lambda_.get(group, 1e-9)
        a = lam * np.exp2(np.clip(self.match_weight(levels), -200, 200))
        if _is_dedup(group):
            p = a / (1.0 - lam + a)
        else:
            # (k, person) as one integer: grouping on it is far cheaper than on a text column
            person = pd.factorize(person_l)[0].astype(np.int64)
            key = np.asarray(pos_r, dtype=np.int64) * (int(person.max(initial=0)) + 1) + person
            # rows of one person share its best
            best = pd.Series(a).groupby(key, sort=False).transform("max").to_numpy()
            first = ~pd.Series(key).duplicated().to_numpy()  # one row per (k, person), in row order
            per_k = pd.Series(best[first]).groupby(np.asarray(pos_r)[first]).sum()
            total = pd.Series(pos_r).map(per_k).to_numpy()
            p = np.clip(best / ((1.0 - self.share_.get(group, 0.0)) + total), 0.0, 1.0)
        veto = both_valid_ids & (levels["id"].to_numpy() == LEVELS["id"].index("other"))
        p[veto] = 0.0
        return p.astype(np.float32)


def _is_dedup(group: str) -> bool:
    left, _, right = group.partition("~")
    return left == right


def _with_fixed_disagreement(field: str, m: np.ndarray, prior: np.ndarray) -> np.ndarray:
    """Hold m of the last (disagreement) level at its prior and rescale the others.

    On blocked pairs EM cannot tell a true match with a wrong birth date from a
    namesake with another birth date: left free it learns that "different birth
    date" is common among matches and links namesakes. A disagreement among true
    matches comes only from a clerk's error, whose rate is a policy fact, not a
    fitted one.
    """
    out = m.copy()
    out[-1] = prior[-1]
    out[:-1] *= (1.0 - prior[-1]) / m[:-1].sum()
    return out


def _known(levels: pd.Series) -> np.ndarray:
    lv = levels.to_numpy()
    return lv[lv != NULL].astype(np.int64)
