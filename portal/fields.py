"""A list of choice codes in one column, the way django-countries stores `multiple=True`.

`ChoiceListField(choices=Industry.choices)` keeps `["retail", "health"]` as
`"retail,health"`: one indexed text column that PostgreSQL and the first-run SQLite
both filter with the `has` lookup (`Partner.objects.filter(industries__has="retail")`),
which matches a whole code between commas, never a part of one. Forms offer a
checkbox list of the choices; a value outside them is refused by name.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Lookup
from django.utils.translation import gettext_lazy as _


class ChoiceListField(models.CharField):
    description = _("A list of choices")

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("max_length", 500)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", list)
        super().__init__(*args, **kwargs)

    # Stored as text; `choices` describe the items, not the whole value.
    def from_db_value(self, value, expression, connection) -> list[str]:
        return self.to_python(value)

    def to_python(self, value) -> list[str]:
        if value is None or value == "":
            return []
        if isinstance(value, str):
            return [code for code in value.split(",") if code]
        return [str(code) for code in value]

    def get_prep_value(self, value) -> str:
        if isinstance(value, str):
            return value
        return ",".join(dict.fromkeys(str(code) for code in (value or [])))

    def value_to_string(self, obj) -> str:
        return self.get_prep_value(self.value_from_object(obj))

    def validate(self, value: Iterable[str], model_instance) -> None:
        known = {str(code) for code, _label in self.flatchoices}
        unknown = [code for code in value if code not in known]
        if unknown:
            raise ValidationError(
                _("Not a choice here: %(codes)s."), code="invalid_choice", params={"codes": ", ".join(unknown)}
            )
        if not value and not self.blank:
            raise ValidationError(self.error_messages["blank"], code="blank")

    def labels(self, value: Iterable[str]) -> list[str]:
        """The translated labels of `value`, in the order of the choices."""
        chosen = set(value)
        return [str(label) for code, label in self.flatchoices if code in chosen]

    def formfield(self, **kwargs):
        defaults = {
            "form_class": forms.TypedMultipleChoiceField,
            "choices": self.choices,
            "widget": forms.CheckboxSelectMultiple,
            "required": not self.blank,
            "label": self.verbose_name,
            "help_text": self.help_text,
        }
        defaults.update(kwargs)
        # Field.formfield would swap in a TypedChoiceField for a field with choices; build it directly.
        form_class = defaults.pop("form_class")
        for key in ("choices_form_class", "coerce", "empty_value", "max_length"):
            defaults.pop(key, None)
        return form_class(**defaults)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("max_length") == 500:
            del kwargs["max_length"]
        if kwargs.get("blank") is True:
            del kwargs["blank"]
        if kwargs.get("default") is list:
            del kwargs["default"]
        return name, path, args, kwargs


@ChoiceListField.register_lookup
class Has(Lookup):
    """`field__has=code`: the list holds `code` (a whole item, on PostgreSQL and SQLite alike)."""

    lookup_name = "has"

    def get_prep_lookup(self):
        return str(self.rhs)

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        # The code between commas inside the list between commas: no LIKE, so '_' is no wildcard.
        find = "instr" if connection.vendor == "sqlite" else "strpos"
        return f"{find}(',' || {lhs} || ',', ',' || {rhs} || ',') > 0", [*lhs_params, *rhs_params]
