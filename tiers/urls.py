from __future__ import annotations

from django.urls import path, re_path

from portal.exports import FORMAT_PATTERN
from tiers import staff_views, upload_views, views

app_name = "tiers"

urlpatterns = [
    # The partner's own dashboard and its htmx partials / export.
    path("", views.dashboard, name="dashboard"),
    path("breakdown/", views.dashboard, {"part": "breakdown"}, name="breakdown"),
    path("breakdown.csv", views.breakdown_csv, name="breakdown-csv"),
    path("breakdown.xlsx", views.breakdown_csv, {"fmt": "xlsx"}, name="breakdown-xlsx"),
    path("gap/", views.dashboard, {"part": "gap"}, name="gap"),
    path("changes/", views.dashboard, {"part": "changes"}, name="changes"),
    re_path(rf"^tier-history\.(?P<fmt>{FORMAT_PATTERN})$", views.tier_history_export, name="tier-history-export"),
    # The same, read-only, for a partner in a CAM's book (or for staff).
    path("partners/<str:partner_id>/", views.dashboard, name="partner-dashboard"),
    path("partners/<str:partner_id>/breakdown/", views.dashboard, {"part": "breakdown"}, name="partner-breakdown"),
    path("partners/<str:partner_id>/breakdown.csv", views.breakdown_csv, name="partner-breakdown-csv"),
    path(
        "partners/<str:partner_id>/breakdown.xlsx", views.breakdown_csv, {"fmt": "xlsx"}, name="partner-breakdown-xlsx"
    ),
    path("partners/<str:partner_id>/gap/", views.dashboard, {"part": "gap"}, name="partner-gap"),
    path("partners/<str:partner_id>/changes/", views.dashboard, {"part": "changes"}, name="partner-changes"),
    re_path(
        rf"^partners/(?P<partner_id>[^/]+)/tier-history\.(?P<fmt>{FORMAT_PATTERN})$",
        views.tier_history_export,
        name="partner-tier-history-export",
    ),
    path("book/", views.book, name="book"),
    re_path(rf"^book\.(?P<fmt>{FORMAT_PATTERN})$", views.book_export, name="book-export"),
    path("whatif/", views.whatif, name="whatif"),
    re_path(rf"^whatif\.(?P<fmt>{FORMAT_PATTERN})$", views.whatif_export, name="whatif-export"),
    path("whatif/publish/", views.whatif_publish, name="whatif-publish"),
    path("at-risk/", staff_views.at_risk, name="at-risk"),
    path("uploads/", upload_views.upload_list, name="uploads"),
    path("uploads/<int:pk>/", upload_views.upload_detail, name="upload"),
    path("uploads/months/complete/", upload_views.upload_month_complete, name="upload-month-complete"),
]
