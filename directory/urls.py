from __future__ import annotations

from django.urls import path

from directory import views

app_name = "directory"
urlpatterns = [
    path("", views.search, name="search"),
    path("my-profile/", views.profile_edit, name="profile-edit"),
    path("language/<str:code>", views.language, name="language"),
    path("<slug:slug>/", views.profile, name="profile"),
    path("<slug:slug>/logo", views.logo, name="logo"),
]
