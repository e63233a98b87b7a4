"""The one way a page shows a service's refusal (`portal.errors.PortalError`).

    with refusal(request) as refused:
        services.thing_do(...)
    if not refused:
        messages.success(request, ...)

A refusal goes to the form when one is given (on `field`, or the whole form), stays
inline when the page's partial shows it itself (`inline=True`), and otherwise becomes
a message on the next page. Any other exception passes through. A refusal no view
catches is shown by `portal.middleware.PortalErrorMiddleware` (message + back).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest

from portal.errors import PortalError


class refusal:
    def __init__(
        self,
        request: HttpRequest,
        *,
        form: forms.BaseForm | None = None,
        field: str | None = None,
        inline: bool = False,
    ) -> None:
        self.request, self.form, self.field, self.inline = request, form, field, inline
        self.error: PortalError | None = None

    @property
    def message(self) -> str:
        return self.error.message if self.error is not None else ""

    def __bool__(self) -> bool:
        return self.error is not None

    def __enter__(self) -> refusal:
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if not isinstance(exc, PortalError):
            return False
        self.error = exc
        if self.form is not None:
            self.form.add_error(self.field, exc.message)
        elif not self.inline:
            messages.error(self.request, exc.message)
        return True


def for_each_row(modeladmin, request: HttpRequest, rows: Iterable, act: Callable[[Any], object]) -> int:
    """An admin action's loop: `act(row)` for every row; a row's refusal becomes an error message naming the row.

    Returns how many rows went through.
    """
    done = 0
    for row in rows:
        try:
            act(row)
        except PortalError as exc:
            modeladmin.message_user(request, f"{row}: {exc.message}", messages.ERROR)
        else:
            done += 1
    return done
