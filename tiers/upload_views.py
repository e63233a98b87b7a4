"""Staff pages for uploading the MRR, partner and rule-set files and following their import."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from portal.access import UPLOAD_FILES, require_perm
from portal.htmx import page_or_partial
from portal.months import parse_month
from portal.refusals import refusal
from tiers import uploads
from tiers.admin import completed_by_label
from tiers.models import MonthCompleteness, UploadKind

PAGE_SIZE = 25
MONTHS_SHOWN = 12


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind of file"))
    file = forms.FileField(label=gettext_lazy("File"))
    complete = forms.BooleanField(
        label=gettext_lazy("Mark every month in the file complete (MRR)"),
        required=False,
        help_text=gettext_lazy("Its scheduled monthly evaluation may then run."),
    )
    draft = forms.BooleanField(
        label=gettext_lazy("Import as a draft (rule set)"),
        required=False,
        help_text=gettext_lazy("A draft is not in force until it is published."),
    )

    def __init__(self, *args, kinds: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(kind, UploadKind(kind).label) for kind in kinds]


class MonthForm(forms.Form):
    month = forms.CharField(label=gettext_lazy("Month"), max_length=7)

    def clean_month(self):
        try:
            return parse_month(self.cleaned_data["month"])
        except (ValueError, TypeError):
            raise forms.ValidationError(_("Enter a month as YYYY-MM.")) from None


@login_required
@require_http_methods(["GET", "POST"])
def upload_list(request: HttpRequest) -> HttpResponse:
    """The upload form, the months' MRR completeness, and the record of every upload."""
    require_perm(request, UPLOAD_FILES)
    kinds = uploads.upload_kinds_for(request.user)
    form = UploadForm(request.POST or None, request.FILES or None, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        with refusal(request, form=form, field="file") as refused:
            upload = uploads.upload_create(
                kind=form.cleaned_data["kind"],
                file=form.cleaned_data["file"],
                acting_user=request.user,
                complete=form.cleaned_data["complete"],
                draft=form.cleaned_data["draft"],
            )
        if not refused:
            return redirect("tiers:upload", pk=upload.pk)
    page = Paginator(uploads.uploads_recent(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "tiers/uploads.html",
        {
            "form": form,
            "page": page,
            "months": _months(),
            "month_form": MonthForm(),
            "can_complete": request.user.has_perm("tiers.change_monthcompleteness"),
            "nav_section": "uploads",
        },
        status=400 if request.method == "POST" else 200,
    )


def _months() -> list[MonthCompleteness]:
    """The latest months' MRR completeness, with who marked each complete as people read it."""
    months = list(MonthCompleteness.objects.order_by("-month")[:MONTHS_SHOWN])
    for month in months:
        month.completed_by_label = completed_by_label(month.completed_by)
    return months


@login_required
@require_http_methods(["GET"])
def upload_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One upload and its progress; the progress partial is polled every second until it finishes."""
    require_perm(request, UPLOAD_FILES)
    upload = uploads.uploads_recent().filter(pk=pk).first()
    if upload is None:
        raise Http404("no such upload")
    template = page_or_partial(request, "tiers/upload.html", "progress")
    return render(request, template, {"upload": upload, "nav_section": "uploads"})


@login_required
@require_POST
def upload_month_complete(request: HttpRequest) -> HttpResponse:
    """One click: mark a month's MRR complete (its scheduled evaluation may then run)."""
    require_perm(request, UPLOAD_FILES)
    form = MonthForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(form.errors["month"]))
        return redirect("tiers:uploads")
    with refusal(request) as refused:
        marked = uploads.upload_month_complete(month=form.cleaned_data["month"], acting_user=request.user)
    if not refused:
        messages.success(
            request,
            _("The MRR of %(month)s is marked complete.")
            % {"month": formats.date_format(marked.month, "YEAR_MONTH_FORMAT")},
        )
    return redirect("tiers:uploads")
