"""The portal page where org admins (and CAMs, for themselves) create and revoke API tokens."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from api.selectors import token_get_for_user, tokens_visible_to
from api.services import api_token_create, api_token_revoke
from portal.htmx import wants_partial


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"), max_length=100, help_text=gettext_lazy("What will use it, e.g. “CRM sync”.")
    )
    expires_in_days = forms.TypedChoiceField(
        label=gettext_lazy("Expires"),
        choices=[
            ("30", gettext_lazy("In 30 days")),
            ("90", gettext_lazy("In 90 days")),
            ("365", gettext_lazy("In a year")),
            ("", gettext_lazy("Never")),
        ],
        coerce=int,
        empty_value=None,
        required=False,
        initial="90",
    )


def _allowed(request: HttpRequest) -> None:
    if not (request.user.is_partner_admin or request.user.is_cam):
        raise Http404


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    _allowed(request)
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        _token, new_token = api_token_create(
            user=request.user,
            name=form.cleaned_data["name"],
            acting_user=request.user,
            expires_in_days=form.cleaned_data["expires_in_days"],
        )
        form = TokenForm()
    rows = tokens_visible_to(request.user)
    response = render(
        request,
        "api/tokens.html",
        {"tokens": rows, "form": form, "new_token": new_token},
        status=400 if form.errors else 200,
    )
    # The raw token is on this page once: keep it out of every cache.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    _allowed(request)
    token = token_get_for_user(user=request.user, pk=pk)
    api_token_revoke(token=token, acting_user=request.user)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    if wants_partial(request):
        return render(request, "api/tokens.html#token-row", {"token": token})
    return redirect("api:tokens")
