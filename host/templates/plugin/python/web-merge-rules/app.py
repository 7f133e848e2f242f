"""A `web-merge-rules` plugin, in Python: which local customers may be a web shop customer,
and what each side becomes when the operator merges them.

`candidates` proposes the local customers with the web customer's number or last name (asked
from the `local-db` capability, which `wit/world.wit` imports and the policy must grant), best
first. The three plans say what the local and the web record become for each of the
operator's actions, and which confirmations the operator gives first.

Config (all optional): `max-candidates` (1..=200, default 20): the most candidates proposed;
`match-first-name` (default true): the same first name adds to a candidate's score.
"""

from dataclasses import dataclass, replace
from typing import Dict, List, Tuple

from componentize_py_types import Err
from wit_world import exports
from wit_world.exports.merge_rules import (
    Candidate,
    Confirmation,
    LocalChange_Create,
    LocalChange_Keep,
    LocalChange_Update,
    MatchReason,
    Plan,
    WebChange_Update,
)
from wit_world.imports import config, local_db, types

KNOWN = ("max-candidates", "match-first-name")

KINDS = {
    types.ConfigValue_Boolean: "a boolean",
    types.ConfigValue_Integer: "an integer",
    types.ConfigValue_Float: "a float",
    types.ConfigValue_Text: "a string",
    types.ConfigValue_TextList: "an array",
}


@dataclass
class Settings:
    """What the config says."""

    max_candidates: int
    match_first_name: bool


def settings(entries: List[types.ConfigEntry], errors: List[types.ConfigError]) -> Settings:
    """Reads the config, appending every problem to `errors`."""

    def problem(key: str, message: str) -> None:
        errors.append(types.ConfigError(key=key, message=message))

    values: Dict[str, types.ConfigValue] = {}
    for entry in entries:
        # The first entry of a key is its value, as for the host's `config.get`.
        values.setdefault(entry.key, entry.value)
        if entry.key not in KNOWN:
            problem(entry.key, "unknown key; expected one of " + ", ".join(f"`{key}`" for key in KNOWN))

    match_first_name = True
    value = values.get("match-first-name")
    if isinstance(value, types.ConfigValue_Boolean):
        match_first_name = value.value
    elif value is not None:
        problem("match-first-name", "must be true or false")

    max_candidates = 20
    value = values.get("max-candidates")
    if isinstance(value, types.ConfigValue_Integer) and 1 <= value.value <= 200:
        max_candidates = value.value
    elif isinstance(value, types.ConfigValue_Integer):
        problem("max-candidates", f"must be between 1 and 200, found {value.value}")
    elif value is not None:
        problem("max-candidates", f"must be an integer, found {KINDS[type(value)]}")
    return Settings(max_candidates=max_candidates, match_first_name=match_first_name)


def message(key: str, *args: Tuple[str, str]) -> types.Message:
    return types.Message(key=key, args=[types.Argument(name=name, value=value) for name, value in args])


def same(a: str, b: str) -> bool:
    """Whether two names are the same, case aside."""
    return a.strip().lower() == b.strip().lower()


def rank(web: types.Customer, found: List[types.Customer], settings: Settings) -> List[Candidate]:
    """Ranks the customers `found` for `web`: the same number scores 100, the same last name
    60, the same first name adds 15; best first, each customer once, at most `max-candidates`."""
    candidates: List[Candidate] = []
    for customer in found:
        if customer.number is None or any(c.customer.number == customer.number for c in candidates):
            continue
        reasons = []
        if web.number is not None and customer.number == web.number:
            reasons.append(MatchReason.SAME_NUMBER)
        if same(customer.last_name, web.last_name):
            reasons.append(MatchReason.SAME_LAST_NAME)
        if not reasons:
            continue
        score = 100 if reasons[0] == MatchReason.SAME_NUMBER else 60
        if settings.match_first_name and web.first_name and same(customer.first_name, web.first_name):
            reasons.append(MatchReason.SAME_FIRST_NAME)
            score = min(score + 15, 100)
        candidates.append(Candidate(customer=customer, reasons=reasons, score=score))
    # A stable sort: among equal scores, the order the database answered in.
    candidates.sort(key=lambda candidate: -candidate.score)
    return candidates[: settings.max_candidates]


def with_person_of(target: types.Customer, source: types.Customer) -> types.Customer:
    """`target` with the person's data of `source`: number, names, company, tax id and contact."""
    return replace(
        target,
        number=source.number,
        first_name=source.first_name,
        last_name=source.last_name,
        company=source.company,
        tax_id=source.tax_id,
        email=source.email,
        phone=source.phone,
        street=source.street,
        postal_code=source.postal_code,
        city=source.city,
        country=source.country,
    )


def take_over_local(web: types.Customer, local: types.Customer) -> Plan:
    confirmations = []
    if not same(web.last_name, local.last_name):
        # A wrong pick, or a real difference (a company contact, a maiden name): ask first.
        overwritten = message(
            "existing-customer-overwritten", ("web-last-name", web.last_name), ("local-last-name", local.last_name)
        )
        confirmations.append(
            Confirmation(
                notice=types.Notice(severity=types.Severity.WARNING, message=overwritten),
                choices=[
                    types.Choice(id="cancel", label=message("action-cancel")),
                    types.Choice(id="continue", label=message("action-continue")),
                ],
                proceed="continue",
            )
        )
    return Plan(
        local=LocalChange_Update(replace(local, web_id=web.web_id)),
        web=WebChange_Update(with_person_of(web, local)),
        confirmations=confirmations,
        summary=message("merge-linked-to-local", ("web-id", web.web_id or ""), ("number", local.number or "")),
    )


def take_over_web(web: types.Customer) -> Plan:
    return Plan(
        # A `None` number: the host assigns the next free one, and gives it to the web side too.
        local=LocalChange_Create(web),
        web=WebChange_Update(web),
        confirmations=[],
        summary=message("merge-added-from-web", ("web-id", web.web_id or "")),
    )


def push_local(local: types.Customer, web: types.Customer) -> Plan:
    return Plan(
        local=LocalChange_Keep(),
        web=WebChange_Update(with_person_of(web, local)),
        confirmations=[],
        summary=message("merge-pushed-to-web", ("number", local.number or "")),
    )


class MergeRules(exports.MergeRules):
    """The `pos:plugin/merge-rules` interface: the slot's hooks."""

    def candidates(self, web: types.Customer) -> List[Candidate]:
        # The host refuses a config that `validate_config` refuses, so no problem is left here.
        current = settings(config.entries(), [])
        # A `local-db` call that fails raises `Err(db_error)`; passing through this hook, it
        # becomes the hook's own error.
        found = []
        if web.number is not None:
            same_number = local_db.get(web.number)
            if same_number is not None:
                found.append(same_number)
        found.extend(local_db.find_by_last_name(web.last_name, current.max_candidates))
        return rank(web, found, current)

    def take_over_local(self, web: types.Customer, local: types.Customer) -> Plan:
        return take_over_local(web, local)

    def take_over_web(self, web: types.Customer) -> Plan:
        return take_over_web(web)

    def push_local(self, local: types.Customer, web: types.Customer) -> Plan:
        return push_local(local, web)

    def validate_config(self, entries: List[types.ConfigEntry]) -> None:
        errors: List[types.ConfigError] = []
        settings(entries, errors)
        if errors:
            # A hook returning `result<_, E>` raises `Err(e)` for its error.
            raise Err(errors)
