from __future__ import annotations

from django.urls import path

from directory import review_views, views

app_name = "directory"
urlpatterns = [
    path("", views.search, name="search"),
    path("my-profile/", views.profile_edit, name="profile-edit"),
    path("language/<str:code>", views.language, name="language"),
    # Client reviews and Global Partner of the Year (directory/review_views.py).
    path("reviews/", review_views.partner_reviews, name="reviews"),
    path("reviews/invite", review_views.invite, name="review-invite"),
    path("reviews/<int:pk>/reply", review_views.reply, name="review-reply"),
    path("review/<str:token>", review_views.review_write, name="review-write"),
    path("reviews/moderation/", review_views.moderation, name="moderation"),
    path("reviews/<int:pk>/publish", review_views.publish, name="review-publish"),
    path("reviews/<int:pk>/reject", review_views.reject, name="review-reject"),
    path("partner-of-the-year/", review_views.partner_of_the_year, name="partner-of-the-year"),
    path("partner-of-the-year/settings", review_views.award_settings, name="award-settings"),
    # Last: a partner's public profile (its slug never takes one of the names above, services.RESERVED_SLUGS).
    path("<slug:slug>/", views.profile, name="profile"),
    path("<slug:slug>/logo", views.logo, name="logo"),
]
