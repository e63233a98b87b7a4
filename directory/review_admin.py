"""Admin for client reviews, review invitations and the Global Partner of the Year thresholds.

Reviews are read here and published in bulk; a rejection needs a reason, so it is made on the
moderation page. Invitations are read-only (their link fingerprint is never shown). Threshold
edits go through `award_settings_update`, so the admin's changes are audited like the page's.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from directory import review_services
from directory.models import AwardSettings, Review, ReviewInvitation
from directory.review_forms import LANGUAGE_CHOICES
from portal.access import has_perm
from portal.admin import NoWritesMixin
from portal.refusals import for_each_row


class ReadOnlyAdmin(NoWritesMixin, admin.ModelAdmin):
    readonly_fields = ("language_name",)

    @admin.display(description=_("language"))
    def language_name(self, obj) -> str:
        return str(dict(LANGUAGE_CHOICES).get(obj.language, obj.language))


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ("partner", "rating", "title", "reviewer_name", "customer_domain", "status", "submitted_at")
    list_filter = ("status", "rating")
    search_fields = ("partner__partner_id", "partner__name", "title", "reviewer_name", "customer_domain")
    list_select_related = ("partner",)
    exclude = ("reviewer_email", "language")
    actions = ["publish"]

    def has_moderate_permission(self, request) -> bool:
        return has_perm(request.user, review_services.MODERATE_REVIEWS)

    @admin.action(description=_("Publish the selected reviews"), permissions=["moderate"])
    def publish(self, request, queryset):
        done = for_each_row(
            self, request, queryset, lambda review: review_services.review_publish(review=review, actor=request.user)
        )
        if done:
            self.message_user(
                request,
                ngettext("%(n)d review published.", "%(n)d reviews published.", done) % {"n": done},
                messages.SUCCESS,
            )


@admin.register(ReviewInvitation)
class ReviewInvitationAdmin(ReadOnlyAdmin):
    list_display = (
        "partner",
        "contact_name",
        "customer_domain",
        "language_name",
        "created_at",
        "expires_at",
        "used_at",
    )
    list_filter = ("created_at",)
    search_fields = ("partner__partner_id", "partner__name", "customer_domain", "contact_name")
    list_select_related = ("partner",)
    exclude = ("token_hash", "email", "language")


@admin.register(AwardSettings)
class AwardSettingsAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "min_revenue_retention",
        "min_customer_revenue_retention",
        "min_review_rating",
        "min_review_count",
        "min_mrr_usd",
        "updated_at",
    )
    fields = review_services.AWARD_FIELDS

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        AwardSettings.get()  # the one row exists before anyone opens the list
        return super().get_queryset(request)

    def save_model(self, request, obj, form, change) -> None:
        review_services.award_settings_update(actor=request.user, values={f: form.cleaned_data[f] for f in self.fields})
