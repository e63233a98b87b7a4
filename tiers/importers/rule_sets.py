"""The rule set JSON (`import_rules`): exact decimals, duplicate keys refused, every problem listed."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from portal.models import Tier
from portal.months import month_start
from tiers.importers.files import CURRENCY_CODES, ImportRejected, decimal_or_none, unknown_currency
from tiers.models import PHASE2_METRICS, CustomerMRR, Framework, Metric, RuleSet, RuleSetStatus

FRAMEWORK_METRICS = {
    Framework.POINTS: [Metric.POINTS, Metric.MIN_SALES_POINTS],
    Framework.LEGACY: [Metric.SOLD_MRR, Metric.MANAGED_MRR],
}
# Phase 2 (docs/rules.md): optional in either framework; a tier that requires one binds every tier above it.
OPTIONAL_METRICS = list(PHASE2_METRICS)
# The most a Phase 2 figure can be: retention is capped per customer at 100 %, ratings run 1–5.
METRIC_MAXIMUM = {Metric.CUSTOMER_REVENUE_RETENTION: Decimal(100), Metric.REVIEW_RATING: Decimal(5)}
# Minimums may stay level from one tier to the next; targets must rise.
NON_DECREASING_METRICS = frozenset({Metric.MIN_SALES_POINTS, *PHASE2_METRICS})
THRESHOLD_LIMIT = Decimal("1e14")
COEFFICIENT_PLACES = Decimal("1e-12")
THRESHOLD_PLACES = Decimal("1e-4")


@dataclass
class RuleSetSpec:
    name: str
    framework: str
    effective_from: dt.date
    multiplier: Decimal
    coefficients: dict[str, tuple[Decimal, Decimal]]
    requirements: dict[str, dict[str, Decimal]] = field(default_factory=dict)


RULE_SET_KEYS = ("name", "framework", "effective_from", "emerging_market_multiplier", "coefficients", "tiers")
COEFFICIENT_KEYS = ("sales", "managed")


class _JsonObject(dict):
    """A JSON object that remembers keys given more than once (json keeps only the last)."""

    duplicates: list[str]


def _json_object(pairs: list[tuple[str, object]]) -> _JsonObject:
    obj = _JsonObject(pairs)
    seen: set[str] = set()
    obj.duplicates = [key for key, _value in pairs if key in seen or seen.add(key)]
    return obj


def _json_duplicates(value: object, where: str) -> Iterator[str]:
    if isinstance(value, _JsonObject):
        for key in value.duplicates:
            yield _("%(where)s: key %(key)r appears more than once") % {"where": where, "key": key}
        for key, item in value.items():
            yield from _json_duplicates(item, f"{where}.{key}" if where != "$" else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _json_duplicates(item, f"{where}[{index}]")


def rule_set_document(text: str) -> object:
    """Parse a rule set JSON file: numbers as exact Decimals; invalid JSON or a key given twice → ImportRejected."""
    try:
        data = json.loads(text, parse_float=Decimal, object_pairs_hook=_json_object)
    except json.JSONDecodeError as exc:
        raise ImportRejected(
            [
                _("line %(line)s, column %(column)s: not valid JSON: %(problem)s")
                % {"line": exc.lineno, "column": exc.colno, "problem": exc.msg}
            ]
        ) from None
    duplicates = list(_json_duplicates(data, "$"))
    if duplicates:
        raise ImportRejected(duplicates)
    return data


def _unknown_keys(raw: dict, allowed: Iterable[str], where: str) -> list[str]:
    return [
        _("%(where)s: unknown key %(key)r (expected %(allowed)s)")
        % {"where": where, "key": key, "allowed": ", ".join(allowed)}
        for key in raw
        if key not in allowed
    ]


def rule_set_spec(data: object) -> RuleSetSpec:
    """Validate an import_rules JSON document; ImportRejected lists every problem."""
    if not isinstance(data, dict):
        raise ImportRejected([_("the rule set must be a JSON object")])
    errors: list[str] = _unknown_keys(data, RULE_SET_KEYS, _("the rule set"))
    name = data.get("name")
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > 120:
        errors.append(_("name must be a non-empty string of at most 120 characters"))
    framework = data.get("framework")
    if framework not in Framework.values:
        errors.append(_("unknown framework %(value)r (expected legacy or points)") % {"value": framework})
    effective_from = None
    try:
        effective_from = dt.date.fromisoformat(str(data.get("effective_from")))
    except ValueError:
        errors.append(_("effective_from must be YYYY-MM-DD, got %(value)r") % {"value": data.get("effective_from")})
    multiplier = decimal_or_none(data.get("emerging_market_multiplier"))
    if multiplier is None or multiplier <= 0 or multiplier >= 1000:
        errors.append(
            _("emerging_market_multiplier must be a decimal string above 0 and below 1000, got %(value)r")
            % {"value": data.get("emerging_market_multiplier")}
        )
    coefficients = _coefficients(data.get("coefficients"), errors)
    requirements = _requirements(data.get("tiers"), framework, errors) if framework in Framework.values else {}
    if errors:
        raise ImportRejected(errors)
    return RuleSetSpec(name.strip(), framework, effective_from, multiplier, coefficients, requirements)


def _coefficients(raw: object, errors: list[str]) -> dict[str, tuple[Decimal, Decimal]]:
    if not isinstance(raw, dict) or not raw:
        errors.append(_("coefficients must be an object of currency → {sales, managed}"))
        return {}
    result = {}
    for currency, pair in raw.items():
        if currency not in CURRENCY_CODES:
            errors.append(unknown_currency(currency))
            continue
        if isinstance(pair, dict):
            errors += _unknown_keys(pair, COEFFICIENT_KEYS, f"coefficients.{currency}")
        values = [decimal_or_none(pair.get(key)) if isinstance(pair, dict) else None for key in COEFFICIENT_KEYS]
        if any(v is None or v <= 0 or v >= 10**8 for v in values):
            errors.append(
                _("coefficients of %(currency)s: sales and managed must be decimal strings above 0")
                % {"currency": currency}
            )
            continue
        sales, managed = (v.quantize(COEFFICIENT_PLACES) for v in values)
        if not sales or not managed:
            errors.append(
                _("coefficients of %(currency)s: a value rounds to 0 at 12 decimal places") % {"currency": currency}
            )
            continue
        result[currency] = (sales, managed)
    if "USD" not in raw:
        errors.append(_("coefficients must include USD (the base of the USD figures)"))
    return result


def _requirements(raw: object, framework: str, errors: list[str]) -> dict[str, dict[str, Decimal]]:
    if not isinstance(raw, dict):
        errors.append(_("tiers must be an object with gold, platinum, diamond and elite"))
        return {}
    metrics = FRAMEWORK_METRICS[framework]
    allowed = [*metrics, *OPTIONAL_METRICS]
    errors += [
        _("tiers: unknown key %(key)r (expected %(allowed)s)") % {"key": tier, "allowed": ", ".join(Tier.ladder())}
        for tier in raw
        if tier not in Tier.ladder()
    ]
    result: dict[str, dict[str, Decimal]] = {}
    for tier in Tier.ladder():
        if tier not in raw:
            errors.append(_("missing tier %(tier)r") % {"tier": tier})
            continue
        values = raw[tier] if isinstance(raw[tier], dict) else {}
        errors += [
            _("tiers.%(tier)s: unknown key %(key)r for a %(framework)s rule set (expected %(allowed)s)")
            % {"tier": tier, "key": key, "framework": framework, "allowed": ", ".join(allowed)}
            for key in values
            if key not in allowed
        ]
        result[tier] = {}
        for metric in allowed:
            if metric in OPTIONAL_METRICS and metric not in values:
                continue
            number = decimal_or_none(values.get(metric))
            if number is None:
                errors.append(_("%(tier)s: %(metric)s must be a decimal string") % {"tier": tier, "metric": metric})
            elif number < 0:
                errors.append(_("%(tier)s: %(metric)s must not be negative") % {"tier": tier, "metric": metric})
            elif number >= THRESHOLD_LIMIT:
                errors.append(_("%(tier)s: %(metric)s is too large") % {"tier": tier, "metric": metric})
            elif metric in METRIC_MAXIMUM and number > METRIC_MAXIMUM[metric]:
                errors.append(
                    _("%(tier)s: %(metric)s cannot be above %(maximum)s")
                    % {"tier": tier, "metric": metric, "maximum": METRIC_MAXIMUM[metric]}
                )
            else:
                result[tier][metric] = number.quantize(THRESHOLD_PLACES)
    errors += phase2_ladder_problems(result)
    _check_increasing(result, allowed, errors)
    return result


def phase2_ladder_gaps(requirements: dict[str, dict[str, Decimal]]) -> list[tuple[str, str, str]]:
    """A Phase 2 metric a tier requires must be required by every tier above it (or a higher tier
    would be easier to reach on that count than a lower one): each `(metric, lowest tier requiring
    it, higher tier that does not)`. The rule-set file and the admin editor word them their own way."""
    gaps = []
    ladder = Tier.ladder()
    for metric in OPTIONAL_METRICS:
        required = [tier for tier in ladder if metric in requirements.get(tier, {})]
        if not required:
            continue
        gaps += [
            (metric, required[0], tier)
            for tier in ladder[ladder.index(required[0]) + 1 :]
            if tier in requirements and metric not in requirements[tier]
        ]
    return gaps


def phase2_ladder_problems(requirements: dict[str, dict[str, Decimal]]) -> list[str]:
    return [
        _("%(tier)s: %(metric)s is required by %(lower)s, so it must be required by %(tier)s too")
        % {"tier": tier, "metric": metric, "lower": lower}
        for metric, lower, tier in phase2_ladder_gaps(requirements)
    ]


def _check_increasing(requirements: dict[str, dict[str, Decimal]], metrics: list[str], errors: list[str]) -> None:
    ladder = [tier for tier in Tier.ladder() if tier in requirements]
    for lower, upper in zip(ladder, ladder[1:], strict=False):
        for metric in metrics:
            low, high = requirements[lower].get(metric), requirements[upper].get(metric)
            if low is None or high is None:
                continue
            if high < low or (high == low and metric not in NON_DECREASING_METRICS):
                errors.append(
                    _("thresholds must increase from gold to elite: %(upper)s %(metric)s %(high)s ≤ %(lower)s %(low)s")
                    % {"upper": upper, "metric": metric, "high": high, "lower": lower, "low": low}
                )


def rule_set_uncovered_currencies(
    *, effective_from: dt.date, currencies: Iterable[str], exclude: int | None = None
) -> list[str]:
    """Problems (one per month) when a rule set from `effective_from` would judge imported MRR in a currency it has
    no coefficient for: the months from its own until the next published rule set takes over."""
    later = (
        RuleSet.objects.filter(status=RuleSetStatus.PUBLISHED, effective_from__gt=effective_from)
        .exclude(pk=exclude)
        .order_by("effective_from")
        .values_list("effective_from", flat=True)
        .first()
    )
    rows = CustomerMRR.objects.filter(month__gte=month_start(effective_from)).exclude(currency__in=list(currencies))
    if later is not None:
        rows = rows.filter(month__lt=month_start(later))
    missing: dict[dt.date, set[str]] = {}
    for month, currency in rows.values_list("month", "currency").distinct():
        missing.setdefault(month, set()).add(currency)
    return [
        _("MRR of %(month)s is in %(currencies)s, which the rule set has no coefficient for")
        % {"month": f"{month:%Y-%m}", "currencies": ", ".join(sorted(found))}
        for month, found in sorted(missing.items())
    ]
