from __future__ import annotations

from django.urls import path

from enablement import views

app_name = "enablement"
urlpatterns = [
    path("", views.index, name="index"),
    path("accreditations/<int:pk>/apply", views.apply, name="apply"),
    path("awards/", views.awards, name="awards"),
    path("awards/nominate", views.award_nominate, name="award-nominate"),
    path("awards/<int:pk>/publish", views.award_publish, name="award-publish"),
]
