"""Synthetic sample counties (样例县) with complete truth, for tests, demos and benchmarks.

`generate_county(root, county, period, households, seed, noise=1.0, villages=None)` writes the 12
contract sources for one month into ``root/<county>/<period>/`` plus ``_truth/``
(records, findings, decoys, favour; see docs/architecture.md) and returns the folder.
`build_county(...)` returns the clean world and month snapshot without writing: the
tests re-derive every rule on it to prove the truth complete.

Modules: `population` (towns, villages, hukou households, people, GB 11643 numbers),
`world` (deaths, certificates, dibao/tekun units, handlers, cadres, orphans, poverty
registry), `plants` (planted cases, favour clusters, decoys), `assets` (holdings of
households not on assistance), `snapshot` (one month's clean frames and truth),
`noise` and `write` (what real exports look like).

Month over month: the county is built at its *anchor*, the October at or before the
period (`calendar.anchor_of`). Every month of that cycle has the same households,
numbers and planted subjects; time moves on (ages, deaths during the cycle, new
80-year-olds enrolled), and each plant has a fix month: DECEASED_PAID, VEHICLE_OWNED,
AMOUNT_MISMATCH, MISSED_ELDERLY_ALLOWANCE and CADRE_KIN_UNFILED each have one case put
right in the next month (the dead person leaves the roll, the car is sold, the amount
corrected, the old person enrolled, the kin filed), about 10% of other cases are fixed
at a random later month, MISSED_DIBAO and FAVOUR_RISK persist. The truth of a month
lists exactly the plants not yet fixed. A new cycle (next October) is a new county.

Villages as they are (`Villages`, off by default so the other tests keep their county):
`clans` makes a share of rural villages single-clan (one to three surnames on 75–92% of the
hukou; spouses keep their own), `splits` gives a share of rural hukou a grown son with his own
hukou at the parents' address, dated at his 22nd–30th year (so mostly long ago), and
`staggered_favour` enrols the planted favour clusters in months 1, 2 and 3 of the cycle (a
household enrolled after a month is on neither that month's roll nor its truth).

Columns beyond the contract (ignored by ingestion unless used): household_registry
``established_date``/立户日期 (hukou creation, shows 分户), cadres ``phone``/联系电话,
standards ``area``/城乡 (urban/rural tekun rows, 1260 and 750 a month).
"""

from sample.generate import build_county, generate_county
from sample.population import Villages

__all__ = ["Villages", "build_county", "generate_county"]
