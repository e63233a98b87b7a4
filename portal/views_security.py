"""The Security page (set up, confirm, turn off two-factor sign-in) and the "enter your code" step of login."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal import two_factor
from portal.refusals import refusal


def _next_url(request: HttpRequest) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=False):
        return url
    return ""


@login_required
def security(request: HttpRequest) -> HttpResponse:
    """Status of two-factor sign-in, and the setup: QR code + secret, confirmed with a code."""
    user = request.user
    enabled = two_factor.user_has_device(user)
    context = {
        "enabled": enabled,
        "required": two_factor.user_must_use_two_factor(user),
        "next": _next_url(request),
    }
    if not enabled and request.GET.get("setup") or (not enabled and context["required"]):
        device = two_factor.totp_pending(user=user)
        context |= {"setup": True, "qr_svg": two_factor.totp_qr_svg(device), "secret": two_factor.totp_secret(device)}
    return render(request, "portal/security.html", context)


@login_required
@require_POST
def security_confirm(request: HttpRequest) -> HttpResponse:
    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    try:
        if device is None:
            raise two_factor.TwoFactorError(_("This setup has expired; start again."))
        codes = two_factor.two_factor_confirm(user=user, device=device, token=request.POST.get("token", ""))
    except two_factor.TwoFactorError as exc:
        device = two_factor.totp_pending(user=user)
        context = {
            "enabled": False,
            "required": two_factor.user_must_use_two_factor(user),
            "setup": True,
            "qr_svg": two_factor.totp_qr_svg(device),
            "secret": two_factor.totp_secret(device),
            "error": str(exc),
            "next": _next_url(request),
        }
        return render(request, "portal/security.html", context, status=400)
    device.refresh_from_db()
    otp_login(request, device)
    two_factor.session_two_factor_remember(request, user)
    # The codes are shown in this one response and never again.
    return render(request, "portal/security_codes.html", {"codes": codes, "next": _next_url(request)})


@login_required
@require_POST
def security_disable(request: HttpRequest) -> HttpResponse:
    with refusal(request) as refused:
        two_factor.two_factor_disable(user=request.user)
    if not refused:
        two_factor.session_two_factor_remember(request, request.user)
        messages.success(request, _("Two-factor sign-in is off."))
    return redirect("security")


@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of login: a code from the authenticator app, or one recovery code."""
    user = request.user
    next_url = _next_url(request) or "/"
    if user.is_verified() or not two_factor.user_has_device(user):
        return redirect(next_url)
    error = ""
    if request.method == "POST":
        device = two_factor.two_factor_verify(user=user, token=request.POST.get("token", ""))
        if device is not None:
            otp_login(request, device)
            return redirect(next_url)
        error = _("That code is not right. Enter the code your app shows now, or one of your recovery codes.")
    return render(
        request, "portal/two_factor_verify.html", {"error": error, "next": next_url}, status=400 if error else 200
    )
