"""Demo client reviews: published reviews in English and Japanese (some answered), a few waiting for
moderation, one rejected, and open invitations — enough for the partner's page, the moderation queue
and a Global Partner of the Year ranking with eligible partners."""

from __future__ import annotations

import datetime as dt
import hashlib
import random

from directory import awards
from directory.models import AwardSettings, Review, ReviewInvitation, ReviewStatus
from directory.services import profile_ratings_refresh
from portal.models import Partner, Region, User
from portal.months import add_months
from tiers.selectors import recent_customer_domains

REVIEWS_EN = [
    (5, "A real partner in our CRM move", "They mapped every pipeline with us and trained each team before go-live."),
    (5, "Leads doubled in six months", "Clear reporting every month and a team that answers the same day."),
    (4, "Solid onboarding", "Good structure and documentation; a few tickets took longer than we hoped."),
    (4, "Helpful and honest", "They told us what not to buy, which saved us a quarter's budget."),
    (3, "Good work, slow start", "The first month was slow, but the website launch went well."),
]
REVIEWS_JA = [
    (5, "移行がスムーズでした", "データ移行から営業チームの研修まで丁寧に対応してくれました。"),
    (5, "問い合わせが倍増しました", "毎月のレポートが分かりやすく、改善の提案も的確です。"),
    (4, "頼れるパートナー", "導入後のサポートが手厚く、社内の定着も早かったです。"),
    (4, "対応が早い", "質問への回答がいつも当日中で助かっています。"),
]
NAMES_EN = ["Morgan Lee", "Priya Shah", "Tom Becker", "Ana Souza", "Chris Walker", "Lena Fischer"]
NAMES_JA = ["田中 花子", "鈴木 一郎", "高橋 美咲", "伊藤 健"]
TITLES_EN = ["Head of Marketing", "COO", "Sales Director", "CRM Manager"]
TITLES_JA = ["マーケティング部長", "営業部長", "情報システム課長"]
REPLIES = {
    "en": "Thank you for the kind words — it was a pleasure working with your team.",
    "ja": "ご評価いただきありがとうございます。今後ともよろしくお願いいたします。",
}


def seed(*, rng: random.Random, people, today: dt.date) -> None:
    AwardSettings.get()
    now = dt.datetime.combine(today, dt.time(9, 0), tzinfo=dt.UTC)
    partners = _reviewed_partners(today)
    admins = {u.partner_id: u for u in User.objects.filter(partner__in=partners, role="partner_admin").order_by("pk")}
    n = 0
    for index, partner in enumerate(partners):
        domains = recent_customer_domains(partner=partner, since=add_months(today, -23), limit=8)
        language = "ja" if partner.region == Region.JAPAN else "en"
        texts = REVIEWS_JA if language == "ja" else REVIEWS_EN
        for k, domain in enumerate(domains[: 3 + index % 3]):
            rating, title, body = texts[(index + k) % len(texts)]
            # Three in last year (its Global Partner of the Year ranking), the rest in the last months.
            last_december = dt.datetime(today.year - 1, 12, 20, 9, 0, tzinfo=dt.UTC)
            if k < 3:
                when = last_december - dt.timedelta(days=rng.randint(0, 330))
            else:
                when = now - dt.timedelta(days=rng.randint(5, 150))
            status = ReviewStatus.PUBLISHED
            reason = ""
            if index == 0 and k == 0:
                status, when = ReviewStatus.PENDING, now - dt.timedelta(days=1)
            elif index == 1 and k == 0:
                status, when = ReviewStatus.PENDING, now - dt.timedelta(days=9)
            elif index == 2 and k == 0:
                status, reason = ReviewStatus.REJECTED, "The review is about another company."
                rating, title, body = 1, "Buy our product", "Visit our website for a discount on CRM consulting."
            n += 1
            _review(
                partner=partner,
                inviter=admins.get(partner.pk),
                domain=domain,
                n=n,
                when=when,
                rating=rating,
                title=title,
                body=body,
                language=language,
                status=status,
                reason=reason,
                staff=people.staff,
                reply=REPLIES[language] if status == ReviewStatus.PUBLISHED and k == 1 else "",
            )
        if index == 0 and len(domains) > 6:
            n += 1
            ReviewInvitation.objects.create(
                partner=partner,
                email=f"ops@{domains[6]}",
                contact_name=NAMES_EN[0],
                customer_domain=domains[6],
                language=language,
                token_hash=hashlib.sha256(f"demo-open-{n}".encode()).hexdigest(),
                invited_by=admins.get(partner.pk),
                created_at=now - dt.timedelta(days=3),
                expires_at=now + dt.timedelta(days=27),
            )
    profile_ratings_refresh()  # the listings' rating and count, as publishing keeps them


def _reviewed_partners(today: dt.date) -> list[Partner]:
    """The demo partner, two more, and the three largest partners whose figures of last year meet every
    threshold but the reviews (so the Global Partner of the Year ranking has winners once reviewed)."""
    first = list(Partner.objects.filter(kind="solutions_partner").order_by("partner_id")[:3])
    standings = awards.ranking(year=today.year - 1, thresholds=AwardSettings.get())
    review_only = {"review_rating", "review_count"}
    contenders = [s.partner for s in standings if set(s.misses) <= review_only and s.partner not in first][:3]
    return (
        first
        + contenders
        + list(
            Partner.objects.filter(region=Region.JAPAN)
            .exclude(pk__in=[p.pk for p in first + contenders])
            .order_by("partner_id")[:2]
        )
    )


def _review(*, partner, inviter, domain, n, when, rating, title, body, language, status, reason, staff, reply) -> None:
    names = NAMES_JA if language == "ja" else NAMES_EN
    titles = TITLES_JA if language == "ja" else TITLES_EN
    email = f"contact{n}@{domain}"
    invitation = ReviewInvitation.objects.create(
        partner=partner,
        email=email,
        contact_name=names[n % len(names)],
        customer_domain=domain,
        language=language,
        token_hash=hashlib.sha256(f"demo-review-{n}".encode()).hexdigest(),
        invited_by=inviter,
        created_at=when - dt.timedelta(days=2),
        expires_at=when + dt.timedelta(days=28),
        used_at=when,
    )
    moderated = status != ReviewStatus.PENDING
    Review.objects.create(
        partner=partner,
        invitation=invitation,
        reviewer_name=invitation.contact_name,
        reviewer_title=titles[n % len(titles)],
        reviewer_email=email,
        customer_domain=domain,
        rating=rating,
        title=title,
        body=body,
        language=language,
        submitted_at=when,
        status=status,
        moderated_at=when + dt.timedelta(days=1) if moderated else None,
        moderated_by=staff if moderated else None,
        rejection_reason=reason,
        reply=reply,
        replied_at=when + dt.timedelta(days=2) if reply else None,
        replied_by=inviter if reply else None,
    )
