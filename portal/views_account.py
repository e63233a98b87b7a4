"""The account page: a person's language and which emails they receive."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from portal.access import REVIEWERS
from portal.emails import language_for
from portal.forms import AccountForm
from portal.middleware import set_language_cookie
from portal.models import EmailKind, User
from portal.services import user_preferences_set


def is_decider(user: User) -> bool:
    """CAMs and reviewers: decisions wait for them."""
    return user.is_cam or user.groups.filter(name=REVIEWERS).exists()


@login_required
def account(request: HttpRequest) -> HttpResponse:
    user: User = request.user
    partner_user, decider = user.is_partner_user, is_decider(user)
    initial = {
        "language": language_for(user),
        "waiting_emails": user.waiting_emails,
        "emails": sorted(set(EmailKind.values) - set(user.email_opt_outs.values_list("kind", flat=True))),
    }
    form = AccountForm(request.POST or None, initial=initial, partner_user=partner_user, decider=decider)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user_preferences_set(
            user=user,
            language=data["language"],
            waiting_emails=data.get("waiting_emails"),
            emails=data.get("emails") if partner_user else None,
        )
        translation.activate(data["language"])
        messages.success(request, _("Your choices are saved."))
        response = redirect("account")
        set_language_cookie(response, data["language"])
        return response
    return render(
        request,
        "portal/account.html",
        {"form": form, "partner_user": partner_user, "decider": decider},
        status=400 if form.errors else 200,
    )
