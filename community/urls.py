from __future__ import annotations

from django.urls import path, re_path

from community import staff_views, views
from portal.exports import FORMAT_PATTERN

app_name = "community"
urlpatterns = [
    path("", views.index, name="index"),
    path("pug/<int:group_id>/", views.pug_group, name="pug-group"),
    path("pug/<int:group_id>/apply", views.pug_apply, name="pug-apply"),
    re_path(
        rf"^pug/(?P<group_id>[0-9]+)/members\.(?P<fmt>{FORMAT_PATTERN})$",
        views.pug_members_export,
        name="pug-members-export",
    ),
    path("hug/", views.hug_directory, name="hug-directory"),
    path("hug/<int:pk>/", views.hug_detail, name="hug-detail"),
    path("hug/<int:pk>/membership", views.hug_membership, name="hug-membership"),
    path("hug/<int:pk>/lead", views.hug_lead_apply, name="hug-lead-apply"),
    path("deib/", views.deib, name="deib"),
    path("deib/apply", views.deib_apply, name="deib-apply"),
    path("deib/<int:pk>/withdraw", views.deib_withdraw, name="deib-withdraw"),
    path("black-at-inbound/", views.black_at_inbound, name="black-at-inbound"),
    path("black-at-inbound/membership", views.black_at_inbound_membership, name="black-at-inbound-membership"),
    path("review/", views.review, name="review"),
    re_path(
        rf"^review/(?P<kind>pug|hug-lead|deib)\.(?P<fmt>{FORMAT_PATTERN})$", views.review_export, name="review-export"
    ),
    path("review/pug/<int:pk>", views.review_pug, name="review-pug"),
    path("review/hug-lead/<int:pk>", views.review_hug_lead, name="review-hug-lead"),
    path("review/deib/<int:pk>", views.review_deib, name="review-deib"),
    path("review/hug-flags/", staff_views.hug_flags, name="hug-flags"),
    path("review/hug-flags/<int:pk>/close", staff_views.hug_flag_close, name="hug-flag-close"),
]
