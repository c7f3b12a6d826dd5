"""axe-core in the browser tests: what a page's accessibility audit finds, said plainly.

axe-core comes from npm's lock (a devDependency, installed by ``npm ci``) and is never
served by the help desk: a test reads ``node_modules/axe-core/axe.min.js`` and injects
it into the page it audits. The pages send a strict Content-Security-Policy that
refuses inline scripts, so audited pages open in a context that bypasses it.

Where axe-core is missing the audits skip and say how to install it; on CI (``CI`` set)
they fail, as the browser journeys do: the audits are part of what CI proves.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import pytest
from django.conf import settings

AXE_JS = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0 and 2.1, levels A and AA: the level the issue asks of every page.
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
BLOCKING = ("serious", "critical")
# Best-practice rules outside the WCAG tags that we hold every page to as well:
# two search forms called the same leave a screen reader user guessing which is which.
ALSO_CHECKED = ("landmark-unique",)


def without_axe(found: bool, environ: Mapping[str, str]) -> tuple[str, str] | None:
    """What an audit does on this machine: None to run, else ("skip" | "fail", why)."""
    if found:
        return None
    missing = f"axe-core is not at {AXE_JS} (run `npm ci` or `make install`)"
    if environ.get("CI"):
        return "fail", f"{missing}; CI runs the accessibility audits and never skips them"
    return "skip", f"{missing}; the accessibility audits skip on this machine"


def axe_script() -> str:
    """axe-core's source, or the test skips (fails on CI) saying how to install it."""
    outcome = without_axe(AXE_JS.is_file(), os.environ)
    if outcome is not None:
        action, why = outcome
        if action == "skip":
            pytest.skip(why)
        pytest.fail(why, pytrace=False)
    return AXE_JS.read_text(encoding="utf-8")


def audit_page(browser, width: int = 1280, height: int = 900):
    """A page whose audits may inject axe-core (the site's CSP bypassed for this context)."""
    context = browser.new_context(viewport={"width": width, "height": height}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def audit(page, script: str) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now, plus ALSO_CHECKED."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(content=script)
    return page.evaluate(
        """async ([tags, extra]) => {
            const wcag = await axe.run(document, {
                runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
            const more = await axe.run(document, {
                runOnly: {type: "rule", values: extra}, resultTypes: ["violations"]});
            return wcag.violations.concat(more.violations).map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target, summary: n.failureSummary}))}));
        }""",
        [list(WCAG_TAGS), list(ALSO_CHECKED)],
    )


def blocking(violations: list[dict]) -> list[dict]:
    """The violations a page may not ship with: serious or critical, or one of ALSO_CHECKED."""
    return [v for v in violations if v["impact"] in BLOCKING or v["id"] in ALSO_CHECKED]


def describe(found: Mapping[str, list[dict]]) -> str:
    """Each page's blocking violations: id, impact, help and the nodes it names."""
    lines = []
    for where, violations in found.items():
        for violation in violations:
            lines.append(
                f"{where}: {violation['id']} ({violation['impact']}) {violation['help']}"
                f" <{violation['helpUrl']}>"
            )
            for node in violation["nodes"]:
                summary = " ".join((node["summary"] or "").split())
                lines.append(f"    {' '.join(map(str, node['target']))}: {summary}")
    return "\n".join(lines)


class Audit:
    """The pages of one journey, audited as the journey goes; asserted once at the end."""

    def __init__(self, page, script: str) -> None:
        self.page = page
        self.script = script
        self.found: dict[str, list[dict]] = {}
        self.audited: list[str] = []

    def check(self, where: str) -> None:
        self.audited.append(where)
        failing = blocking(audit(self.page, self.script))
        if failing:
            self.found[where] = failing

    def assert_clean(self) -> None:
        assert not self.found, (
            f"axe-core found serious or critical violations on {len(self.found)} of "
            f"{len(self.audited)} pages:\n{describe(self.found)}"
        )
