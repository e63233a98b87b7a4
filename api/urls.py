from __future__ import annotations

from django.urls import path

from api import pages, views

app_name = "api"
urlpatterns = [
    path("openapi.json", views.openapi, name="openapi"),
    path("partner", views.partner, name="partner"),
    path("registrations", views.registrations, name="registrations"),
    path("registrations/<int:pk>/extend", views.extend, name="extend"),
    path("registrations/<int:pk>/release", views.release, name="release"),
    path("registrations/<int:pk>/approve", views.approve, name="approve"),
    path("registrations/<int:pk>/reject", views.reject, name="reject"),
    path("cam/queue", views.cam_queue, name="cam-queue"),
    path("tokens/", pages.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke", pages.token_revoke, name="token-revoke"),
]
