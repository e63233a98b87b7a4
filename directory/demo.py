"""Demo data for the Solutions Directory: public profiles for most solutions partners, a few logos, one hidden listing.

Japanese partners describe themselves in Japanese, everyone else in English. Logos are drawn with
Pillow (a coloured square with the partner's initials), so the demo needs no image files.
"""

from __future__ import annotations

import datetime as dt
import io
import random

from django.utils.text import slugify
from PIL import Image, ImageDraw

from directory.models import SPOKEN_LANGUAGES, PartnerProfile, Service
from directory.services import profile_hide
from portal.models import Industry, Partner, PartnerKind, Region

LISTED_SHARE = 0.85
LOGO_COLOURS = ["#1f4e79", "#0f766e", "#9a3412", "#6d28d9", "#be123c", "#166534", "#854d0e", "#1e3a8a"]
TAGLINES_EN = [
    "Inbound growth for B2B software companies",
    "CRM implementations that sales teams actually use",
    "Websites and content that turn visitors into customers",
    "Revenue operations for scaling companies",
    "From first campaign to full-funnel reporting",
    "Service teams that delight customers, at scale",
    "Integrations and data migrations without the downtime",
]
TAGLINES_JA = [
    "BtoB企業のためのインバウンドマーケティング支援",
    "営業チームに定着するCRM導入",
    "成果につながるWebサイト制作とコンテンツ",
    "成長企業のレベニューオペレーション",
    "データ移行からシステム連携までワンストップで",
]
DESCRIPTIONS_EN = [
    "{name} is a team of {people} strategists, designers and developers. We have helped more than {clients} "
    "companies in {industry} grow their pipeline with inbound marketing, clean CRM data and honest reporting.\n\n"
    "Every engagement starts with a workshop to agree on goals, then we build, train your team and stay on "
    "for monthly optimisation.",
    "Founded in {year}, {name} works with {industry} companies that want their marketing, sales and service "
    "teams on one platform. We are known for careful data migrations and onboarding that sticks.\n\n"
    "Our consultants are certified across the platform and work in your time zone.",
    "{name} builds websites and campaigns for {industry} brands. Our {people} specialists cover strategy, "
    "content, SEO and paid media, and we measure everything against revenue, not clicks.",
]
DESCRIPTIONS_JA = [
    "{name}は、戦略立案からWeb制作、CRM導入までを手がける{people}名のチームです。これまでに{clients}社以上の"
    "{industry}企業の成長を支援してきました。\n\n最初のワークショップで目標を共有し、構築とトレーニングの後も"
    "毎月の改善提案で伴走します。",
    "{year}年創業の{name}は、マーケティング・営業・カスタマーサービスをひとつのプラットフォームにまとめたい"
    "{industry}企業を支援しています。丁寧なデータ移行と定着するオンボーディングに定評があります。",
]
LANGUAGES_BY_REGION = {
    Region.NORTH_AMERICA: ["en", "es", "fr"],
    Region.LATIN_AMERICA: ["es", "pt", "en"],
    Region.EMEA: ["en", "de", "fr", "nl", "es"],
    Region.APAC: ["en", "zh-hans", "ko", "ms", "hi"],
    Region.JAPAN: ["ja", "en"],
}
COUNTRIES_BY_REGION = {
    Region.NORTH_AMERICA: ["US", "CA", "MX"],
    Region.LATIN_AMERICA: ["MX", "BR", "CO", "AR", "CL", "PE"],
    Region.EMEA: ["GB", "DE", "FR", "NL", "ES", "IE", "ZA", "SE", "IT"],
    Region.APAC: ["AU", "NZ", "SG", "IN", "MY", "PH", "KR"],
    Region.JAPAN: ["JP", "SG", "US"],
}
INDUSTRY_NAMES_JA = {Industry.SOFTWARE: "ソフトウェア", Industry.MANUFACTURING: "製造業", Industry.RETAIL: "小売"}


def seed(*, rng: random.Random, people, today: dt.date) -> None:
    partners = list(Partner.objects.filter(kind=PartnerKind.SOLUTIONS_PARTNER).order_by("partner_id"))
    known_languages = {code for code, _name in SPOKEN_LANGUAGES}
    profiles, slugs = [], set()
    for index, partner in enumerate(partners):
        # The demo partner (P00001) always has a listing with a logo; most others have one too.
        if index > 0 and rng.random() > LISTED_SHARE:
            continue
        _partner_facts(rng, partner)
        profiles.append(_profile(rng, partner, index=index, slugs=slugs, known_languages=known_languages))
    Partner.objects.bulk_update(partners, ["industries", "operating_countries"])
    PartnerProfile.objects.bulk_create(profiles)
    _hide_one(profiles, staff=people.staff)


def _partner_facts(rng: random.Random, partner: Partner) -> None:
    home = [partner.country.code]
    others = [c for c in COUNTRIES_BY_REGION[partner.region] if c not in home]
    partner.operating_countries = home + rng.sample(others, k=rng.randint(0, min(3, len(others))))
    partner.industries = rng.sample(Industry.values[:-1], k=rng.randint(1, 4))


def _profile(rng: random.Random, partner: Partner, *, index: int, slugs: set[str], known_languages: set[str]):
    japanese = partner.region == Region.JAPAN
    industry = partner.industries[0]
    facts = {
        "name": partner.name,
        "people": rng.randint(6, 120),
        "clients": rng.randint(20, 400),
        "year": rng.randint(2008, 2021),
        "industry": INDUSTRY_NAMES_JA.get(industry, "IT") if japanese else str(Industry(industry).label).lower(),
    }
    slug = slugify(partner.name)[:70] or partner.partner_id.lower()
    while slug in slugs:
        slug = f"{slug}-{partner.partner_id.lower()}"
    slugs.add(slug)
    languages = [code for code in LANGUAGES_BY_REGION[partner.region] if code in known_languages]
    logo = _logo(partner.name, rng.choice(LOGO_COLOURS)) if index == 0 or rng.random() < 0.25 else None
    return PartnerProfile(
        partner=partner,
        slug=slug,
        tagline=rng.choice(TAGLINES_JA if japanese else TAGLINES_EN),
        description=rng.choice(DESCRIPTIONS_JA if japanese else DESCRIPTIONS_EN).format(**facts),
        website=f"https://www.{slugify(partner.name) or partner.partner_id.lower()}.example",
        services=rng.sample(Service.values, k=rng.randint(2, 5)),
        languages=languages[: rng.randint(1, len(languages))],
        logo=logo,
        logo_content_type="image/png" if logo else "",
    )


def _logo(name: str, colour: str) -> bytes:
    initials = "".join(word[0] for word in name.split()[:2]).upper()
    image = Image.new("RGB", (128, 128), colour)
    draw = ImageDraw.Draw(image)
    draw.text((64, 64), initials, fill="#ffffff", anchor="mm", font_size=52)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _hide_one(profiles: list[PartnerProfile], *, staff) -> None:
    """Staff hid one listing (its website pointed somewhere else); its audit row says so."""
    if len(profiles) < 3:
        return
    reason = "Website redirects to an unrelated business; waiting for the partner to fix it."
    profile_hide(profile=profiles[2], actor=staff, reason=reason)  # audited as staff would be
