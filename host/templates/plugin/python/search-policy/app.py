"""A `search-policy` plugin, in Python: what the operator sees around a customer search.

After a local search the host asks `after_local_search` whether to offer the ERP search
([Search]) and with which notice; after an ERP search `after_erp_search` picks the list to
show; when retrieving an ERP customer fails, `after_erp_retrieve_failed` says what follows.
This starting point is the seed's behaviour with its thresholds read from the config.

Config (all optional): `offer-erp-at-most` (1..=99, default 6): a refined search showing this
many customers or fewer suggests the ERP; `erp-show-at-most` (1..=99, default 6): more ERP
results than this keep the local list; `waiting-window-after-ms` (0..=60000, default 700):
when the waiting window with [Cancel] appears.
"""

from dataclasses import dataclass
from typing import Dict, List, Optional

from componentize_py_types import Err
from wit_world import exports
from wit_world.exports.search_decisions import (
    ErpDecision,
    ErpSearchOutcome,
    ErpSearchOutcome_Failed,
    LocalDecision,
    LocalSearchOutcome,
    ResultList,
    RetrieveAction,
    RetrieveDecision,
    SearchButton,
)
from wit_world.imports import config, types

KNOWN = ("offer-erp-at-most", "erp-show-at-most", "waiting-window-after-ms")

KINDS = {
    types.ConfigValue_Boolean: "a boolean",
    types.ConfigValue_Integer: "an integer",
    types.ConfigValue_Float: "a float",
    types.ConfigValue_Text: "a string",
    types.ConfigValue_TextList: "an array",
}


@dataclass
class Thresholds:
    """What the config says."""

    offer_erp_at_most: int
    erp_show_at_most: int
    waiting_window_after_ms: int


def thresholds(entries: List[types.ConfigEntry], errors: List[types.ConfigError]) -> Thresholds:
    """Reads the config, appending every problem to `errors`."""

    def problem(key: str, message: str) -> None:
        errors.append(types.ConfigError(key=key, message=message))

    values: Dict[str, types.ConfigValue] = {}
    for entry in entries:
        # The first entry of a key is its value, as for the host's `config.get`.
        values.setdefault(entry.key, entry.value)
        if entry.key not in KNOWN:
            problem(entry.key, "unknown key; expected one of " + ", ".join(f"`{key}`" for key in KNOWN))

    def integer(key: str, default: int, low: int, high: int) -> int:
        value = values.get(key)
        if value is None:
            return default
        if not isinstance(value, types.ConfigValue_Integer):
            problem(key, f"must be an integer, found {KINDS[type(value)]}")
            return default
        if not low <= value.value <= high:
            problem(key, f"must be between {low} and {high}, found {value.value}")
            return default
        return value.value

    return Thresholds(
        offer_erp_at_most=integer("offer-erp-at-most", 6, 1, 99),
        erp_show_at_most=integer("erp-show-at-most", 6, 1, 99),
        waiting_window_after_ms=integer("waiting-window-after-ms", 700, 0, 60_000),
    )


def notice(severity: types.Severity, key: str) -> types.Notice:
    return types.Notice(severity=severity, message=types.Message(key=key, args=[]))


def after_local_search(outcome: LocalSearchOutcome, thresholds: Thresholds) -> LocalDecision:
    found: Optional[types.Notice] = None
    if not outcome.online_search_enabled:
        button = SearchButton.HIDDEN
    elif outcome.result_count == 0:
        found, button = notice(types.Severity.INFO, "local-no-results"), SearchButton.SUGGESTED
    elif outcome.criteria_changed and outcome.result_count <= thresholds.offer_erp_at_most:
        found, button = notice(types.Severity.INFO, "local-no-exact-results"), SearchButton.SUGGESTED
    else:
        button = SearchButton.AVAILABLE
    return LocalDecision(
        notice=found,
        search_button=button,
        # One more than will be shown, to tell "more than N" from "N".
        erp_limit=thresholds.erp_show_at_most + 1,
        waiting_window_after_ms=thresholds.waiting_window_after_ms,
    )


def after_erp_search(outcome: ErpSearchOutcome, thresholds: Thresholds) -> ErpDecision:
    if isinstance(outcome, ErpSearchOutcome_Failed):
        if isinstance(outcome.value, types.ErpError_Cancelled):
            return ErpDecision(show=ResultList.LOCAL, notice=None)
        return ErpDecision(show=ResultList.LOCAL, notice=notice(types.Severity.ERROR, "erp-connection-failed"))
    found = outcome.value
    if found.count == 0 and not found.has_more:
        return ErpDecision(show=ResultList.LOCAL, notice=notice(types.Severity.INFO, "erp-no-results"))
    if found.has_more or found.count > thresholds.erp_show_at_most:
        return ErpDecision(show=ResultList.LOCAL, notice=notice(types.Severity.WARNING, "erp-too-many-results"))
    return ErpDecision(show=ResultList.ERP, notice=None)


def after_erp_retrieve_failed(error: types.ErpError) -> RetrieveDecision:
    if isinstance(error, types.ErpError_Cancelled):
        # The operator cancelled: nothing failed, the list stays.
        return RetrieveDecision(clear_erp_results=False, notice=None)
    return RetrieveDecision(clear_erp_results=True, notice=notice(types.Severity.ERROR, "erp-retrieve-failed"))


def current() -> Thresholds:
    """The thresholds of the running call. The host refuses a config that `validate_config`
    refuses, so no problem is left here."""
    return thresholds(config.entries(), [])


class SearchDecisions(exports.SearchDecisions):
    """The `pos:plugin/search-decisions` interface: the slot's hooks."""

    def after_local_search(self, outcome: LocalSearchOutcome) -> LocalDecision:
        return after_local_search(outcome, current())

    def after_erp_search(self, query: types.SearchQuery, outcome: ErpSearchOutcome) -> ErpDecision:
        return after_erp_search(outcome, current())

    def after_erp_retrieve_failed(self, action: RetrieveAction, error: types.ErpError) -> RetrieveDecision:
        return after_erp_retrieve_failed(error)

    def validate_config(self, entries: List[types.ConfigEntry]) -> None:
        errors: List[types.ConfigError] = []
        thresholds(entries, errors)
        if errors:
            # A hook returning `result<_, E>` raises `Err(e)` for its error.
            raise Err(errors)
