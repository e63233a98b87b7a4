from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from portal import views, views_account, views_security

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("status/", views.system_status, name="system-status"),
    path("team/", views.team, name="team"),
    path("team/<int:pk>/active", views.team_member_active, name="team-member-active"),
    path("team/<int:pk>/role", views.team_member_role, name="team-member-role"),
    path("accounts/settings/", views_account.account, name="account"),
    path("accounts/security/", views_security.security, name="security"),
    path("accounts/security/confirm", views_security.security_confirm, name="security-confirm"),
    path("accounts/security/disable", views_security.security_disable, name="security-disable"),
    path("accounts/two-factor/", views_security.two_factor_verify, name="two-factor-verify"),
    path("partners/<str:partner_id>/history/", views.partner_history, name="partner-history"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("tiers/", include("tiers.urls")),
    path("registrations/", include("registrations.urls")),
    path("community/", include("community.urls")),
    path("enablement/", include("enablement.urls")),
    path("directory/", include("directory.urls")),
    path("api/v1/", include("api.urls")),
    path("admin/", admin.site.urls),
]
