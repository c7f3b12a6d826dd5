"""Mail intake on real-world mail: how much of the customer's reply we keep.

``mail_reply_extraction`` scores ``integrations.email.replies.strip_reply`` on the
published reply-parser corpora in ``tests/fixtures/email/replies/`` and returns the
exact-match rate in per cent; the kept and removed rates are printed beside it.
It needs no database. ``python -m bench.mail_replies`` prints the same figures
and scores another parser's answers for comparison (talon: see the README).
"""

from __future__ import annotations

from bench.mail_replies import ours
from bench.scenarios import Context, scenario


@scenario("mail_reply_extraction", unit="% exact", database=False)
def mail_reply_extraction(ctx: Context) -> float:
    """Reply text kept, quotes removed, on the published reply-parser corpora (% exact)."""
    score = ours()
    if ctx.run == 0:
        print("\n".join(score.lines("  reply extraction")), flush=True)
    return 100 * score.exact / score.exact_cases
