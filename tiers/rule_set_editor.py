"""The rule-set editor's language: coefficients as the programme states them ("AUD 105 = US$100").

SPEC §3.2: a rule set gives so many points per US$100 of MRR (3 sales points, 1 managed
point), and each currency a fixed amount "equal to US$100". The engine stores the
per-unit coefficient, points per US$100 ÷ amount, rounded to 12 places exactly as the
rule-set importer rounds it, so a rule typed here and the same rule in a JSON file
judge partners identically.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.formats import number
from portal.models import Tier
from tiers.importers.files import CURRENCY_CODES
from tiers.importers.rule_sets import COEFFICIENT_PLACES, METRIC_MAXIMUM, phase2_ladder_gaps
from tiers.models import CurrencyCoefficient, Metric, TierRequirement

USD = "USD"
HUNDRED = Decimal(100)
# Public HubSpot figures (SPEC §3.2): what a new currency row starts with.
DEFAULT_SALES_PER_USD100 = Decimal(3)
DEFAULT_MANAGED_PER_USD100 = Decimal(1)
AMOUNT_PLACES = Decimal("0.01")
RATE_PLACES = Decimal("0.0001")
MAX_AMOUNT = Decimal(10) ** 10
TIER_ORDER = {tier: rank for rank, tier in enumerate(Tier.ladder())}  # Gold, Platinum, Diamond, Elite


def coefficient_for(*, points_per_usd100: Decimal, equal_to_usd100: Decimal) -> Decimal:
    """The per-unit coefficient the engine uses: the importer's arithmetic and rounding."""
    return (Decimal(points_per_usd100) / Decimal(equal_to_usd100)).quantize(COEFFICIENT_PLACES)


@dataclass(frozen=True)
class StatedCoefficient:
    """One currency's coefficients as the programme states them."""

    currency: str
    equal_to_usd100: Decimal
    sales_per_usd100: Decimal
    managed_per_usd100: Decimal

    @property
    def sentence(self) -> str:
        return gettext("%(currency)s %(amount)s = US$100") % {
            "currency": self.currency,
            # "GBP 62.50", "JPY 12,000": decimals only where the amount has them.
            "amount": number(self.equal_to_usd100, places=0 if self.equal_to_usd100 % 1 == 0 else 2),
        }


def _clean(value: Decimal, places: Decimal) -> Decimal:
    rounded = value.quantize(places, rounding=ROUND_HALF_UP)
    # 12000.00 → 12000, never 1.2E+4 (normalize() would write it so in the form's input).
    if rounded == rounded.to_integral_value():
        return rounded.quantize(Decimal(1))
    # Money keeps its cents ("GBP 62.50"); points per US$100 drop trailing zeros (2.5, not 2.5000).
    return rounded if places == AMOUNT_PLACES else rounded.normalize()


def stated(*, coefficient: CurrencyCoefficient, usd: tuple[Decimal, Decimal] | None) -> StatedCoefficient:
    """Read a stored coefficient back in the programme's language.

    The rule set's USD row anchors the points per US$100 (USD 0.03 → 3 points);
    without one the public figures (3 and 1) are assumed.
    """
    sales_rate = usd[0] * HUNDRED if usd else DEFAULT_SALES_PER_USD100
    amount = sales_rate / coefficient.sales
    return StatedCoefficient(
        currency=coefficient.currency,
        equal_to_usd100=_clean(amount, AMOUNT_PLACES),
        sales_per_usd100=_clean(sales_rate, RATE_PLACES),
        managed_per_usd100=_clean(coefficient.managed * amount, RATE_PLACES),
    )


class CurrencyCoefficientForm(forms.ModelForm):
    """One currency row: "AUD [105] = US$100", with the points per US$100; the coefficients are derived."""

    equal_to_usd100 = forms.DecimalField(
        label=_("amount equal to US$100"),
        min_value=Decimal("0.01"),
        max_value=MAX_AMOUNT,
        decimal_places=2,
        help_text=_("How much of this currency counts as US$100, e.g. 105 for AUD, 12000 for JPY."),
    )
    sales_per_usd100 = forms.DecimalField(
        label=_("sales points per US$100"), min_value=Decimal("0.0001"), decimal_places=4, initial=3
    )
    managed_per_usd100 = forms.DecimalField(
        label=_("managed points per US$100"), min_value=Decimal("0.0001"), decimal_places=4, initial=1
    )

    class Meta:
        model = CurrencyCoefficient
        fields = ["currency"]

    def __init__(self, *args, usd: tuple[Decimal, Decimal] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["currency"].widget = forms.TextInput(
            attrs={"size": 4, "maxlength": 3, "autocapitalize": "characters"}
        )
        if self.instance.pk is not None:
            row = stated(coefficient=self.instance, usd=usd)
            self.initial.update(
                equal_to_usd100=row.equal_to_usd100,
                sales_per_usd100=row.sales_per_usd100,
                managed_per_usd100=row.managed_per_usd100,
            )

    def clean_currency(self) -> str:
        currency = self.cleaned_data["currency"].strip().upper()
        if currency not in CURRENCY_CODES:
            raise forms.ValidationError(_("Not an ISO 4217 currency code."))
        return currency

    def clean(self) -> dict:
        cleaned = super().clean()
        amount = cleaned.get("equal_to_usd100")
        sales_rate, managed_rate = cleaned.get("sales_per_usd100"), cleaned.get("managed_per_usd100")
        if amount is None or sales_rate is None or managed_rate is None:
            return cleaned
        if cleaned.get("currency") == USD and amount != HUNDRED:
            self.add_error("equal_to_usd100", _("US$100 is 100 US dollars."))
            return cleaned
        sales = coefficient_for(points_per_usd100=sales_rate, equal_to_usd100=amount)
        managed = coefficient_for(points_per_usd100=managed_rate, equal_to_usd100=amount)
        if not sales or not managed:
            self.add_error("equal_to_usd100", _("This amount makes a coefficient round to 0 at 12 decimal places."))
            return cleaned
        self.instance.sales, self.instance.managed = sales, managed
        return cleaned


class CurrencyCoefficientFormSet(forms.BaseInlineFormSet):
    """Reads the rule set's USD row once, so every row reads back in its own points per US$100."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._usd = None
        if self.instance.pk is not None:
            self._usd = next(
                ((c.sales, c.managed) for c in self.get_queryset() if c.currency == USD),
                None,
            )

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "usd": self._usd}


# --- requirements: Phase 2 metrics (docs/rules.md) --------------------------------------

WHOLE_NUMBER_METRICS = frozenset({Metric.CERTIFIED_PEOPLE, Metric.ACCREDITATIONS})


class TierRequirementForm(forms.ModelForm):
    """One (tier, metric) threshold; Phase 2 thresholds within what the metric can reach."""

    class Meta:
        model = TierRequirement
        fields = ["tier", "metric", "threshold"]

    def clean(self) -> dict:
        cleaned = super().clean()
        metric, threshold = cleaned.get("metric"), cleaned.get("threshold")
        if metric is None or threshold is None:
            return cleaned
        if threshold < 0:
            self.add_error("threshold", _("A threshold cannot be negative."))
        elif metric in METRIC_MAXIMUM and threshold > METRIC_MAXIMUM[metric]:
            self.add_error(
                "threshold",
                gettext("%(metric)s cannot be above %(maximum)s.")
                % {"metric": Metric(metric).label, "maximum": number(METRIC_MAXIMUM[metric], places=0)},
            )
        elif metric in WHOLE_NUMBER_METRICS and threshold != threshold.to_integral_value():
            self.add_error("threshold", _("People and accreditations are counted in whole numbers."))
        return cleaned


class TierRequirementFormSet(forms.BaseInlineFormSet):
    """A Phase 2 metric a tier requires must be required by every tier above it (the importer's rule)."""

    def clean(self) -> None:
        super().clean()
        if any(form.errors for form in self.forms):
            return
        requirements: dict[str, dict[str, Decimal]] = {}
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not data.get("tier") or not data.get("metric"):
                continue
            requirements.setdefault(data["tier"], {})[data["metric"]] = data["threshold"]
        problems = [
            gettext("%(lower)s requires %(metric)s, so %(tier)s must require it too.")
            % {"lower": Tier(lower).label, "metric": Metric(metric).label, "tier": Tier(tier).label}
            for metric, lower, tier in phase2_ladder_gaps(requirements)
        ]
        if problems:
            raise forms.ValidationError(problems)
