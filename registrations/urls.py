from __future__ import annotations

from django.urls import path, re_path

from portal.exports import FORMAT_PATTERN
from registrations import views

app_name = "registrations"
urlpatterns = [
    path("", views.capacity, name="capacity"),
    re_path(rf"^domains\.(?P<fmt>{FORMAT_PATTERN})$", views.capacity_export, name="capacity-export"),
    path("domains/<int:pk>/extend", views.extend, name="extend"),
    path("domains/release", views.release, name="release"),
    path("assistant/<str:partner_id>/", views.cap_assistant, name="assistant"),
    path("assistant/<str:partner_id>/count", views.cap_assistant_count, name="assistant-count"),
    path("assistant/<str:partner_id>/review", views.cap_assistant_review, name="assistant-review"),
    path("assistant/<str:partner_id>/release", views.cap_assistant_release, name="assistant-release"),
    path("queue/", views.queue, name="queue"),
    re_path(rf"^queue/(?P<kind>domains|deals)\.(?P<fmt>{FORMAT_PATTERN})$", views.queue_export, name="queue-export"),
    path("queue/approve", views.queue_approve_bulk, name="queue-approve-bulk"),
    re_path(
        r"^queue/(?P<kind>domain|deal)/(?P<pk>[0-9]+)/(?P<decision>approve|reject)$",
        views.queue_decide,
        name="queue-decide",
    ),
    path("deals/", views.deals, name="deals"),
    re_path(rf"^deals\.(?P<fmt>{FORMAT_PATTERN})$", views.deals_export, name="deals-export"),
    path("deals/<int:pk>/", views.deal_detail, name="deal"),
    path("deals/<int:pk>/notes", views.deal_note, name="deal-note"),
]
