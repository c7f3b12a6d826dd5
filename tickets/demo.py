"""Demo and benchmark data: staff, partners, requesters and realistic support tickets.

Two ways in, sharing one catalogue of made-up organisations and request texts:

* :func:`seed_demo` builds the small, idempotent demo a developer sees after
  ``make run``. Its tickets go through the services, so each has a real thread
  and history; the rows are then moved back in time with queryset updates, so
  the queues look like a few months of work. Nothing is queued in the outbox.
* :func:`bulk_create_tickets` adds many tickets fast for benchmarks: generated
  rows written with COPY on PostgreSQL (``bulk_create`` elsewhere), each with
  its first message and its "created" history row. No services, no outbox.

All names, organisations and addresses are invented; email addresses use the
reserved example.org / example.net domains.
"""

from __future__ import annotations

import bisect
import itertools
import json
import math
import random
import secrets
import time
import unicodedata
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import Group, User
from django.db import connection, transaction
from django.utils import timezone

from tickets import roles, services
from tickets.models import (
    Category,
    Channel,
    EscalationStatus,
    EventKind,
    Hub,
    Impact,
    IssueTag,
    Message,
    MessageKind,
    Partner,
    Product,
    Requester,
    Status,
    Ticket,
    TicketEvent,
)

DEFAULT_SEED = 2026
DEFAULT_DEMO_TICKETS = 300
DEFAULT_BATCH_SIZE = 10_000
DEMO_SPAN_DAYS = 120
BULK_SPAN_DAYS = 730
BULK_REQUESTERS_PER_PARTNER = 30
BULK_INDEPENDENT_REQUESTERS = 40
INDEPENDENT_DOMAIN = "mail.example.net"
# A resolved ticket closes when the requester has not written back for this long.
AUTO_CLOSE_AFTER = timedelta(days=7)

# --------------------------------------------------------------------------- #
# Staff                                                                        #
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class DemoStaff:
    username: str
    first_name: str
    last_name: str
    role: str  # a group from tickets.roles, or "" for the superuser
    demo_password: str  # used only when DEBUG is on

    @property
    def role_label(self) -> str:
        return self.role or "Administrator (superuser)"


DEMO_STAFF = (
    DemoStaff("admin", "Sam", "Admin", "", "demo-admin-2026"),
    DemoStaff("amina", "Amina", "Wekesa", roles.L1_AGENT, "demo-amina-2026"),
    DemoStaff("joost", "Joost", "de Vries", roles.L1_AGENT, "demo-joost-2026"),
    DemoStaff("wanjiru", "Wanjiru", "Kamau", roles.L2_ENGINEER, "demo-wanjiru-2026"),
    DemoStaff("maria", "María", "Gómez", roles.SUPPORT_MANAGER, "demo-maria-2026"),
)
STAFF_EMAIL_DOMAIN = "support.example.org"


@dataclass(frozen=True)
class StaffAccount:
    """One demo login as the command reports it; ``password`` is None when it must not show."""

    username: str
    role_label: str
    created: bool
    password: str | None


def seed_staff(*, debug: bool) -> list[StaffAccount]:
    """Create the demo staff once; an existing account of the same name is left as it is.

    With DEBUG on they get the documented demo passwords; otherwise random ones
    that nobody knows until an admin sets them with ``changepassword``.
    """
    accounts = []
    for staff in DEMO_STAFF:
        user, created = User.objects.get_or_create(
            username=staff.username,
            defaults={
                "first_name": staff.first_name,
                "last_name": staff.last_name,
                "email": f"{staff.username}@{STAFF_EMAIL_DOMAIN}",
                "is_staff": True,
                "is_superuser": not staff.role,
            },
        )
        if created:
            user.set_password(staff.demo_password if debug else secrets.token_urlsafe(24))
            user.save(update_fields=["password"])
            if staff.role:
                user.groups.add(Group.objects.get(name=staff.role))
        # Show a password only in development, and only if it is still the one we set.
        known = debug and (created or user.check_password(staff.demo_password))
        accounts.append(
            StaffAccount(
                username=staff.username,
                role_label=staff.role_label,
                created=created,
                password=staff.demo_password if known else None,
            )
        )
    return accounts


@dataclass
class Team:
    """The staff who work the demo tickets, looked up by role."""

    l1: list[User]
    l2: list[User]
    managers: list[User]

    @classmethod
    def load(cls) -> Team:
        def members(role: str) -> list[User]:
            return list(
                User.objects.filter(groups__name=role, is_staff=True, is_active=True).order_by("pk")
            )

        return cls(
            l1=members(roles.L1_AGENT),
            l2=members(roles.L2_ENGINEER),
            managers=members(roles.SUPPORT_MANAGER),
        )

    @property
    def triagers(self) -> list[User]:
        return self.l1 or self.managers


# --------------------------------------------------------------------------- #
# Partners and requesters                                                      #
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class DemoPartner:
    name: str
    hub: str  # hub slug
    short: str  # their instance name on Flow / Lumen
    domain: str
    country: str
    region: str
    products: tuple[str, ...]  # product slugs they use
    notes: str
    people: tuple[str, ...]  # the requesters who write in most


FLOW, RSR, LUMEN, OTHER = "akvo-flow", "akvo-rsr", "akvo-lumen", "other"

DEMO_PARTNERS = (
    # East Africa
    DemoPartner(
        "Lake Victoria Basin Water Trust", "east-africa", "lvbwt", "lvbwatertrust.example.org",
        "Kenya", "Kisumu County", (FLOW, LUMEN),
        "Water point monitoring in 3 counties; Flow since 2019, Lumen dashboards for the board.",
        ("Grace Otieno", "Peter Mwangi", "Achieng Odhiambo"),
    ),
    DemoPartner(
        "Rift Valley Agricultural Research Institute", "east-africa", "rvari",
        "rvari.example.org", "Kenya", "Nakuru County", (FLOW, RSR, LUMEN),
        "Farmer surveys and results reporting for two donor programmes.",
        ("Samuel Kiprono", "Faith Chebet", "Daniel Mutua"),
    ),
    DemoPartner(
        "Kampala Urban Sanitation Network", "east-africa", "kusn", "kusn.example.org",
        "Uganda", "Kampala", (FLOW, RSR),
        "Latrine and faecal sludge surveys; reports results in RSR.",
        ("Joseph Ssempala", "Sarah Nakato", "Brian Okello"),
    ),
    DemoPartner(
        "Tana County Department of Water and Sanitation", "east-africa", "tanawater",
        "tanacounty-water.example.net", "Kenya", "Tana River County", (FLOW,),
        "County government; large enumerator teams during the dry season.",
        ("Hassan Abdi", "Mercy Wanjala"),
    ),
    # West Africa
    DemoPartner(
        "Volta Basin WASH Alliance", "west-africa", "vbwash", "vbwash.example.org",
        "Ghana", "Volta Region", (FLOW, RSR, LUMEN),
        "Alliance of 6 NGOs; one shared Flow instance, projects in RSR.",
        ("Kwame Mensah", "Abena Owusu", "Kofi Asante"),
    ),
    DemoPartner(
        "Sahel Resilience Initiative", "west-africa", "sahelri", "sahelresilience.example.org",
        "Mali", "Mopti", (FLOW, RSR),
        "Works in French; surveys translated into Bambara and French.",
        ("Aminata Diallo", "Moussa Traoré", "Fatoumata Keita"),
    ),
    DemoPartner(
        "Northern Savannah Rural Water Board", "west-africa", "nsrwb", "nsrwb.example.net",
        "Ghana", "Northern Region", (FLOW, LUMEN),
        "Government agency; borehole functionality checks every quarter.",
        ("Ibrahim Yakubu", "Hauwa Bello", "Emmanuel Adeyemi"),
    ),
    DemoPartner(
        "Cocoa Livelihoods Research Centre", "west-africa", "clrc", "clrc.example.org",
        "Côte d'Ivoire", "San-Pédro", (FLOW, LUMEN),
        "Cocoa farm census and income surveys.",
        ("Akosua Boateng", "Yaw Darko"),
    ),
    # Europe
    DemoPartner(
        "Delta Water Knowledge Institute", "europe", "dwki", "deltawater.example.org",
        "Netherlands", "Delft", (RSR, LUMEN),
        "Research partner; reports for several consortium projects in RSR.",
        ("Sanne Bakker", "Pieter Jansen", "Eva de Boer"),
    ),
    DemoPartner(
        "Open Development Data Foundation", "europe", "oddf", "opendevdata.example.org",
        "Netherlands", "Utrecht", (RSR,),
        "Publishes IATI data for its grantees through RSR.",
        ("Lena Fischer", "Tom Hughes", "Clara Martín"),
    ),
    DemoPartner(
        "Nordic Climate Adaptation Fund", "europe", "ncaf", "ncaf.example.net",
        "Denmark", "Copenhagen", (RSR, LUMEN),
        "Donor; follows grantee results in RSR and Lumen dashboards.",
        ("Ingrid Larsen", "Mikael Virtanen"),
    ),
    # Asia
    DemoPartner(
        "Mekong Smallholder Network", "asia", "msn", "mekongsmallholder.example.org",
        "Laos", "Champasak", (FLOW, RSR),
        "Farmer groups in Laos and Cambodia; low bandwidth in the field.",
        ("Lan Nguyen", "Souksavanh Phommachanh", "Chanthy Sok"),
    ),
    DemoPartner(
        "Java Clean Water Foundation", "asia", "jcwf", "javacleanwater.example.org",
        "Indonesia", "Central Java", (FLOW, LUMEN),
        "Village water committees; surveys in Bahasa Indonesia.",
        ("Dewi Lestari", "Budi Santoso", "Siti Rahmawati"),
    ),
    DemoPartner(
        "Bengal Delta Research Centre", "asia", "bdrc", "bdrc.example.org",
        "Bangladesh", "Khulna", (FLOW, RSR, LUMEN),
        "Salinity and water quality research; large datasets in Lumen.",
        ("Farhana Rahman", "Tanvir Hossain"),
    ),
    DemoPartner(
        "Himalayan Springs Initiative", "asia", "hsi", "himalayansprings.example.net",
        "Nepal", "Kavrepalanchok", (FLOW,),
        "Spring-shed mapping; phones offline for days at a time.",
        ("Pema Sherpa", "Anjali Thapa", "Rohan Gurung"),
    ),
    # Americas
    DemoPartner(
        "Andean Watershed Institute", "americas", "awi", "andeanwatershed.example.org",
        "Peru", "Cusco", (FLOW, RSR, LUMEN),
        "Watershed restoration; surveys in Spanish and Quechua.",
        ("Lucía Quispe", "Carlos Mamani", "Valeria Rojas"),
    ),
    DemoPartner(
        "Central American Coffee Research Network", "americas", "cacrn", "cacrn.example.org",
        "Honduras", "Copán", (FLOW, LUMEN),
        "Coffee farm surveys with cooperatives in 3 countries.",
        ("José Hernández", "Ana Lucía Morales"),
    ),
    DemoPartner(
        "Caribbean Resilience Fund", "americas", "crf", "caribresilience.example.net",
        "Jamaica", "Kingston", (RSR,),
        "Grant maker; grantees report results in RSR.",
        ("Marcus Thompson", "Keisha Campbell"),
    ),
    DemoPartner(
        "Amazonia Community Forestry Alliance", "americas", "acfa",
        "amazoniaforestry.example.org", "Brazil", "Pará", (FLOW, RSR),
        "Community forest monitoring; Portuguese surveys.",
        ("Raimundo Silva", "Juliana Costa", "Pedro Ortiz"),
    ),
)  # fmt: skip

# People who write in without a partner on file (consultants, personal addresses).
INDEPENDENT_PEOPLE = (
    ("Joseph Banda", f"joseph.banda@{INDEPENDENT_DOMAIN}"),
    ("Helen Adjei", f"helen.adjei@{INDEPENDENT_DOMAIN}"),
)

# First and last names for the larger requester pool of the bulk generator, per hub.
NAMES_BY_HUB: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "east-africa": (
        ("Grace", "Peter", "Samuel", "Faith", "Daniel", "Joseph", "Sarah", "Brian", "Hassan",
         "Mercy", "Wanjiku", "Esther", "David", "Naomi", "Kevin", "Lydia", "Moses", "Agnes"),
        ("Otieno", "Mwangi", "Odhiambo", "Kiprono", "Chebet", "Mutua", "Ssempala", "Nakato",
         "Okello", "Abdi", "Wanjala", "Njoroge", "Kamau", "Wafula", "Mugisha", "Omondi"),
    ),
    "west-africa": (
        ("Kwame", "Abena", "Kofi", "Aminata", "Moussa", "Fatoumata", "Ibrahim", "Hauwa",
         "Emmanuel", "Akosua", "Yaw", "Adjoa", "Seydou", "Mariam", "Chinedu", "Ngozi", "Efua"),
        ("Mensah", "Owusu", "Asante", "Diallo", "Traoré", "Keita", "Yakubu", "Bello", "Adeyemi",
         "Boateng", "Darko", "Ouédraogo", "Coulibaly", "Okafor", "Appiah", "Camara"),
    ),
    "europe": (
        ("Sanne", "Pieter", "Eva", "Lena", "Tom", "Clara", "Ingrid", "Mikael", "Anna", "Lucas",
         "Sophie", "Jan", "Marta", "Hugo", "Elise", "Niels", "Laura", "Finn"),
        ("Bakker", "Jansen", "de Boer", "Fischer", "Hughes", "Martín", "Larsen", "Virtanen",
         "Visser", "Smit", "Müller", "Dubois", "Rossi", "Novak", "Meijer", "Andersen"),
    ),
    "asia": (
        ("Lan", "Souksavanh", "Chanthy", "Dewi", "Budi", "Siti", "Farhana", "Tanvir", "Pema",
         "Anjali", "Rohan", "Minh", "Arif", "Nurul", "Rina", "Sokha", "Thida", "Priya"),
        ("Nguyen", "Phommachanh", "Sok", "Lestari", "Santoso", "Rahmawati", "Rahman", "Hossain",
         "Sherpa", "Thapa", "Gurung", "Tran", "Wijaya", "Hidayat", "Chowdhury", "Shrestha"),
    ),
    "americas": (
        ("Lucía", "Carlos", "Valeria", "José", "Ana", "Marcus", "Keisha", "Raimundo", "Juliana",
         "Pedro", "Mateo", "Camila", "Diego", "Sofía", "Andrés", "Gabriela", "Luis"),
        ("Quispe", "Mamani", "Rojas", "Hernández", "Morales", "Thompson", "Campbell", "Silva",
         "Costa", "Ortiz", "García", "López", "Flores", "Vargas", "Castillo", "Mendoza"),
    ),
}  # fmt: skip

# Rough UTC offsets of the hubs, to put requests in their local working day.
HUB_UTC_OFFSET_HOURS = {
    "east-africa": 3,
    "west-africa": 0,
    "europe": 1,
    "asia": 7,
    "americas": -5,
}


def ascii_slug(text: str) -> str:
    """ "Lucía de Boer" -> "luciadeboer": safe in the local part of an email address."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def person_email(name: str, domain: str) -> str:
    first, *rest = name.split()
    return f"{ascii_slug(first)}.{ascii_slug(''.join(rest)) or 'x'}@{domain}"


def demo_requester_emails() -> list[str]:
    emails = [person_email(n, p.domain) for p in DEMO_PARTNERS for n in p.people]
    return emails + [email for _, email in INDEPENDENT_PEOPLE]


def seed_partners() -> tuple[dict[str, Partner], int]:
    """The demo partners by name, created once (name is unique regardless of case)."""
    hubs = {hub.slug: hub for hub in Hub.objects.all()}
    if not hubs:
        raise ValueError("There are no hubs to put the demo partners in: run migrate first.")
    # A hub an admin renamed or removed: its partners go to the first hub there is.
    fallback = next(iter(hubs.values()))
    partners = {}
    created_count = 0
    for demo in DEMO_PARTNERS:
        partner, created = Partner.objects.get_or_create(
            name__iexact=demo.name,
            defaults={"name": demo.name, "hub": hubs.get(demo.hub, fallback), "notes": demo.notes},
        )
        partners[demo.name] = partner
        created_count += created
    return partners, created_count


def seed_requesters(partners: dict[str, Partner]) -> tuple[list[Requester], int]:
    """The people who write in for the demo tickets, through the same lookup every channel uses."""
    before = Requester.objects.count()
    requesters = []
    for demo in DEMO_PARTNERS:
        for name in demo.people:
            requesters.append(
                services.requester_get_or_create(
                    email=person_email(name, demo.domain), name=name, partner=partners[demo.name]
                )
            )
    for name, email in INDEPENDENT_PEOPLE:
        requesters.append(services.requester_get_or_create(email=email, name=name))
    return requesters, Requester.objects.count() - before


# --------------------------------------------------------------------------- #
# What people write                                                            #
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class RequestTemplate:
    """One kind of request, with {placeholders} filled from :func:`request_values`."""

    product: str
    category: str
    subject: str
    description: str = ""
    what_doing: str = ""
    expected: str = ""
    actual: str = ""
    steps: str = ""
    tags: tuple[str, ...] = ()
    # How likely each impact is once triaged: Critical, Significant, Minor, Low.
    impacts: tuple[int, int, int, int] | None = None
    uses: str = "web"  # "app": the Flow app on a phone; "web": a browser
    reply: str = ""  # L1's answer when the request is a question they can answer
    fix: str = ""  # what was wrong, told to the requester when it is solved

    def render(self, values: dict[str, str]) -> dict[str, str]:
        return {
            name: getattr(self, name).format_map(values)
            for name in ("subject", "description", "what_doing", "expected", "actual", "steps")
        }

    def impact_weights(self) -> tuple[int, int, int, int]:
        if self.impacts:
            return self.impacts
        return {
            "bug": (2, 20, 48, 30),
            "question": (0, 5, 35, 60),
            "feature-request": (0, 2, 30, 68),
        }.get(self.category, (1, 10, 40, 49))


BUG, QUESTION, FEATURE = "bug", "question", "feature-request"

T = RequestTemplate
TEMPLATES: tuple[RequestTemplate, ...] = (
    # ---- Akvo Flow ------------------------------------------------------------
    T(
        FLOW, BUG, "Survey responses not syncing from the Flow app on Android",
        description=(
            "{since} none of our enumerators can send their submissions. The forms are marked "
            "as finished on the phones but stay in the outbox."
        ),
        what_doing=(
            "Syncing {forms} completed forms of the “{survey}” survey from a {device} "
            "({android}) with Flow app {app_version}."
        ),
        expected=(
            "The forms upload and appear on the {flow_instance} dashboard within a few minutes, "
            "as they did last week."
        ),
        actual=(
            "The sync runs for about a minute, then the app shows “Sync failed. Try again "
            "later.” Nothing new reaches the dashboard. It is the same on the office wifi and "
            "on mobile data."
        ),
        steps=(
            "1. Open the Flow app and pick the “{survey}” survey.\n2. Tap Sync data.\n"
            "3. Wait until the progress bar stops.\n"
            "4. The error appears and the forms stay in the outbox."
        ),
        tags=("device-and-app-sync",), impacts=(3, 40, 42, 15), uses="app",
        fix=(
            "The certificate of the upload service behind {flow_instance} had expired and the "
            "app refused to connect. It was renewed this morning: please ask the enumerators to "
            "tap Sync data once more, and the waiting forms will reach the dashboard."
        ),
    ),
    T(
        FLOW, BUG, "Data export to Excel stuck at 0% for a large survey",
        description="We need the raw data for our quarterly report, but the export never ends.",
        what_doing=(
            "Exporting the raw data report (Excel) of “{survey}”, about {responses} responses, "
            "from Data > Export."
        ),
        expected="An email with the download link after a few minutes.",
        actual=(
            "The export stays at 0% for hours and no email arrives. Smaller surveys in the same "
            "folder export without trouble."
        ),
        steps=(
            "1. Go to Data > Export.\n2. Pick the folder “{folder}” and the survey “{survey}”.\n"
            "3. Choose Raw data report, Excel, and click Export.\n4. The progress stays at 0%."
        ),
        tags=("data-export",), impacts=(1, 30, 50, 19),
        fix=(
            "The export service had stalled on one response with an unusually large photo "
            "answer. We restarted it, your export finished and the link is in your inbox. The "
            "developers are changing exports so that such a response is reported, not blocking."
        ),
    ),
    T(
        FLOW, BUG, "Cannot publish survey after adding a cascade question",
        description=(
            "We added a cascade question (region > district > village) and now the survey will "
            "not publish."
        ),
        what_doing=(
            "Adding the cascade resource “Administrative units {country}” to question 4 of "
            "“{survey}” and publishing the new version."
        ),
        expected="The survey publishes and the phones get the new version on their next sync.",
        actual=(
            "Publishing shows “An error occurred, please try again” and the version number does "
            "not change. The phones still have the old version."
        ),
        steps=(
            "1. Open “{survey}” in the survey editor.\n2. Add a cascade question and choose the "
            "cascade resource.\n3. Save, then click Publish.\n4. The error appears."
        ),
        tags=("forms-and-surveys",), impacts=(0, 30, 52, 18),
        fix=(
            "The cascade resource had not finished publishing itself, so the survey could not "
            "refer to it. We published the resource again; the survey now publishes normally."
        ),
    ),
    T(
        FLOW, BUG, "GPS question records 0,0 coordinates on some phones",
        description=(
            "About a third of the water points collected this week appear in the ocean off West "
            "Africa on the map."
        ),
        what_doing=(
            "Recording the location of each point with the geolocation question of “{survey}”, "
            "on {device} phones with Flow app {app_version}."
        ),
        expected="The coordinates of the point, accurate to a few metres.",
        actual=(
            "Some submissions have latitude 0 and longitude 0, although the app showed an "
            "accuracy of 5 m before the enumerator saved the answer."
        ),
        steps=(
            "1. Start a new form of “{survey}”.\n2. At the location question tap Get location "
            "and wait for the accuracy to drop below 10 m.\n3. Submit and sync.\n"
            "4. In the dashboard the point has coordinates 0, 0."
        ),
        tags=("device-and-app-sync", "forms-and-surveys"), uses="app",
    ),
    T(
        FLOW, BUG, "Photos missing from submissions in the dashboard",
        description="The answers arrive, but the photo questions show “image not found”.",
        what_doing="Reviewing the submissions of “{survey}” in Data > Inspect data.",
        expected="The photo taken by the enumerator next to each submission.",
        actual=(
            "{photos} photos show a broken image icon. The enumerators can still see them on "
            "their phones."
        ),
        steps=(
            "1. Open Data > Inspect data.\n2. Pick “{survey}”.\n"
            "3. Open a submission from this week and scroll to the photo question."
        ),
        tags=("device-and-app-sync",), uses="app",
        fix=(
            "The app had sent the answers but not yet the photos, which upload separately and "
            "only on wifi with the default settings. Once the phones were on wifi the photos "
            "arrived; you can allow uploads over mobile data in the app's settings."
        ),
    ),
    T(
        FLOW, QUESTION, "How do I assign a survey to a new group of enumerators?",
        description=(
            "We have hired {enumerators} new enumerators for the endline in {region}. They "
            "installed the Flow app with our instance code, but they cannot see “{survey}”. How "
            "do we give them the survey, and can we make sure they see only this survey and not "
            "our other ones?"
        ),
        tags=("user-management", "forms-and-surveys"),
        reply=(
            "Surveys reach phones through assignments. In the dashboard, open Devices > "
            "Assignments, create an assignment (for example “{assignment}”), add “{survey}” "
            "and select the new phones, then save. The phones receive the survey on their next "
            "sync. A phone only shows the surveys of the assignments it is in, so your other "
            "surveys stay hidden. The support article “Assigning surveys to devices” has "
            "screenshots of each step."
        ),
    ),
    T(
        FLOW, QUESTION, "Moving data collection to new phones without losing unsent forms",
        description=(
            "Our project received {n} new tablets and we want to retire the old phones. Some old "
            "phones still hold forms that were never sent. What is the safest way to move to the "
            "new devices? Do we need to register the new devices on the dashboard first?"
        ),
        tags=("device-and-app-sync",), uses="app",
        reply=(
            "First let every old phone sync on a good connection until its outbox is empty; "
            "Devices > Devices list shows the last contact of each phone so you can check. Then "
            "install the Flow app on the tablets, enter your instance code, and add the tablets "
            "to the same assignment as the old phones. There is nothing else to register. Keep "
            "the old phones for a week before wiping them, in case one still holds a form."
        ),
    ),
    T(
        FLOW, QUESTION, "Can we correct a submitted response that has a typo?",
        description=(
            "An enumerator typed 1500 household members instead of 15 in “{survey}”. The value "
            "spoils our averages. Can we edit the answer on the dashboard, and is the original "
            "value kept somewhere for our audit?"
        ),
        tags=("forms-and-surveys",),
        reply=(
            "Yes: in Data > Inspect data, open the submission, click Edit next to the answer, "
            "correct it and save. Each edit is logged with the user and time, and the original "
            "value stays in the submission's history. For many corrections at once you can "
            "export the raw data, correct the sheet and upload it through Bulk upload."
        ),
    ),
    T(
        FLOW, FEATURE, "Skip logic based on an answer in an earlier question group",
        description=(
            "In “{survey}” we want the water quality question group to appear only when the "
            "answer to the source type question, in the first group, was “Borehole” or "
            "“Protected spring”. We could not find a way to make a whole group depend on an "
            "answer elsewhere, so enumerators now page through questions that do not apply. It "
            "would shorten each interview by several minutes."
        ),
        tags=("forms-and-surveys",),
    ),
    T(
        FLOW, FEATURE, "Automatic weekly export of survey data to SharePoint",
        description=(
            "Every Monday our M&E officer exports “{survey}” by hand and uploads the file to our "
            "SharePoint for the {region} team. It would save hours if Flow could send the export "
            "on a schedule, or if we could fetch it through an API with a token."
        ),
        tags=("data-export", "api-and-integrations"),
    ),
    T(
        FLOW, BUG, "Flow dashboard very slow when opening Inspect data",
        description="Opening Inspect data for one survey takes minutes and sometimes times out.",
        what_doing=(
            "Opening Data > Inspect data for “{survey}” ({responses} responses) in {browser} on "
            "{os}."
        ),
        expected="The first page of responses within a few seconds.",
        actual=(
            "The page loads for two to three minutes; about one time in three it ends with "
            "“Request timed out”. Other surveys in the same folder open quickly."
        ),
        steps=(
            "1. Log in to {flow_instance}.\n2. Go to Data > Inspect data.\n"
            "3. Pick the folder “{folder}” and the survey “{survey}”."
        ),
        tags=("performance",), impacts=(0, 25, 55, 20),
        fix=(
            "The survey's responses were missing a database index after last month's "
            "migration. The developers added it; Inspect data now opens in about two seconds."
        ),
    ),
    T(
        FLOW, BUG, "Survey translation not shown in the app",
        description="We added a {language} translation, but the enumerators still see English.",
        what_doing=(
            "Switching the Flow app to {language} on a {device} with app {app_version}, then "
            "opening “{survey}”."
        ),
        expected="The questions and options in {language}.",
        actual=(
            "The question texts stay in English; only the option “Other” is translated. The "
            "translation is complete in the survey editor."
        ),
        steps=(
            "1. Add the {language} translation in the survey editor and publish.\n"
            "2. Sync the phone.\n3. Change the survey language in the app.\n"
            "4. Open a new form."
        ),
        tags=("forms-and-surveys",), impacts=(0, 15, 55, 30), uses="app",
    ),
    T(
        FLOW, QUESTION, "Give a consultant access to one folder only",
        description=(
            "A consultant, {colleague}, will clean the data of the “{folder}” folder for two "
            "months. Can we give them access to that folder only, without letting them see or "
            "delete our other surveys? Will the access end by itself, or do we remove it?"
        ),
        tags=("user-management", "login-and-access"),
        reply=(
            "Yes. In Users, add the consultant and give them a role (for example “Data "
            "cleaning”) on the “{folder}” folder only: roles apply to the folder you choose and "
            "everything inside it, so the other folders stay out of sight. Access does not "
            "expire by itself, so put a reminder in your calendar to remove the user when the "
            "work ends."
        ),
    ),
    T(
        FLOW, BUG, "Monitoring form answers not linked to the registered water point",
        description=(
            "In our monitoring survey the follow-up visits appear as new data points instead of "
            "under the water point they belong to."
        ),
        what_doing=(
            "Submitting the monitoring form of “{survey}” for an existing water point, chosen "
            "from the list in the app ({device}, app {app_version})."
        ),
        expected="The visit listed under that water point, after its registration form.",
        actual=(
            "Every visit creates a new data point called “Unknown”, so our map now shows "
            "duplicates next to most water points."
        ),
        steps=(
            "1. Open “{survey}” in the app.\n2. Choose an existing water point.\n"
            "3. Fill in the monitoring form and submit.\n4. Sync and look at the map."
        ),
        tags=("forms-and-surveys", "device-and-app-sync"), uses="app",
    ),
    T(
        FLOW, BUG, "Cannot log in to the Flow dashboard after a password reset",
        description="I reset my password this morning and now get “Access denied”.",
        what_doing="Logging in to {flow_instance} with the new password in {browser}.",
        expected="The dashboard's home page.",
        actual=(
            "After the login page the browser shows “Access denied: you do not have permission "
            "to view this dashboard”. My colleagues can still log in."
        ),
        steps=(
            "1. Reset the password from the login page.\n2. Log in with the new password.\n"
            "3. “Access denied” appears."
        ),
        tags=("login-and-access",), impacts=(4, 40, 41, 15),
        fix=(
            "The reset had created a second account with your address in lower case, without "
            "any role. We merged it into your original account; you can log in as before."
        ),
    ),
    T(
        FLOW, QUESTION, "What does data approval do, and how do we switch it on?",
        description=(
            "Our donor wants every submission of “{survey}” checked by a supervisor before it is "
            "used in reports. We saw a “Data approval” option in the folder settings. Who "
            "approves, can we have two steps (district officer, then M&E lead), and does "
            "unapproved data still appear in exports?"
        ),
        tags=("forms-and-surveys", "documentation"),
        reply=(
            "Data approval is set per folder: you define one or more approval steps and the "
            "users who may approve at each step, and the steps can be ordered, so “district "
            "officer, then M&E lead” works. Exports include every submission with its approval "
            "status in a column, so you can filter out unapproved ones. The article “Setting up "
            "data approval” walks through it."
        ),
    ),
    T(
        FLOW, BUG, "Bulk upload of corrected data fails with “Invalid file”",
        description="We cleaned {n}0 responses in Excel and want to upload them back.",
        what_doing="Uploading the corrected raw data report of “{survey}” in Data > Bulk upload.",
        expected="The corrected answers replace the old ones.",
        actual=(
            "The upload stops at once with “Invalid file, please use the export template”. We "
            "did not change the column headers, only answers."
        ),
        steps=(
            "1. Export the raw data report of “{survey}”.\n2. Correct answers in Excel, save "
            "as .xlsx.\n3. Upload it in Data > Bulk upload.\n4. The error appears."
        ),
        tags=("data-import",), impacts=(0, 20, 55, 25),
        fix=(
            "Excel had turned the metadata row into dates when the file was saved, so the "
            "upload no longer recognised it as an export. Saving with the first two rows "
            "formatted as text solves it; we uploaded your corrected file that way."
        ),
    ),
    T(
        FLOW, BUG, "Flow dashboard down: error 502 for everybody",
        description=(
            "Nobody in our team can open {flow_instance} since about {hour}:00. We are training "
            "{enumerators} enumerators today and cannot publish the survey."
        ),
        what_doing="Opening the dashboard at {flow_instance}.",
        expected="The login page.",
        actual="“502 Bad Gateway” on every page, from different networks and browsers.",
        steps="1. Open {flow_instance} in any browser.\n2. The 502 error appears.",
        tags=("login-and-access", "performance"), impacts=(80, 20, 0, 0),
        fix=(
            "A failed deployment had left the dashboard without a running application server. "
            "It was rolled back and the dashboard has been up since; we are sorry for the "
            "interrupted training."
        ),
    ),
    # ---- Akvo RSR -------------------------------------------------------------
    T(
        RSR, BUG, "Cannot export RSR project results to Excel",
        description="The Excel export of our results framework gives an empty file.",
        what_doing=(
            "Downloading the results of “{project}” as Excel from the project's results page, "
            "for the period {period}."
        ),
        expected="A spreadsheet with every indicator, its target and the actual value.",
        actual=(
            "The download starts, but the file holds only the column headers. The same export "
            "worked last quarter."
        ),
        steps=(
            "1. Open “{project}” in My RSR.\n2. Go to Results and choose the period {period}.\n"
            "3. Click Download > Excel.\n4. Open the file: only the headers."
        ),
        tags=("data-export", "reports-and-results"), impacts=(0, 30, 50, 20),
        fix=(
            "The export skipped every indicator with a disaggregation that had no target. The "
            "developers fixed it in today's release; the download now includes all indicators."
        ),
    ),
    T(
        RSR, BUG, "Indicator period locked: cannot enter the actual value",
        description="Our field officer cannot enter the results for {period}.",
        what_doing=(
            "Entering the actual value of the indicator “{indicator}” of “{project}” for "
            "{period}, as M&E manager."
        ),
        expected="The value field opens so we can add the value and a comment.",
        actual=(
            "The period shows a lock icon and “This period is locked”. Nobody here locked it, "
            "and the reporting deadline is this Friday."
        ),
        steps=(
            "1. Open the results of “{project}”.\n2. Expand “{indicator}”.\n"
            "3. Click the period {period}."
        ),
        tags=("reports-and-results",), impacts=(0, 35, 45, 20),
        fix=(
            "Periods lock automatically when the lead organisation closes a reporting round. "
            "We unlocked {period} for your project until the end of next week."
        ),
    ),
    T(
        RSR, QUESTION, "How do I add a partner organisation to a project?",
        description=(
            "We implement “{project}” with a local organisation that now has its own RSR "
            "account. How do we add them as implementing partner, and can their staff then "
            "post updates on our project without seeing our other projects?"
        ),
        tags=("user-management",),
        reply=(
            "Open the project editor of “{project}”, section Partners, and add the organisation "
            "with the role Implementing partner. Their users with the Project editor role can "
            "then post updates and enter results on this project only; your other projects "
            "stay invisible to them unless you add them there as well."
        ),
    ),
    T(
        RSR, QUESTION, "Difference between the M&E manager and project editor roles",
        description=(
            "We are setting up accounts for {n} new colleagues. Some should only post updates, "
            "others should also approve results. Which roles should they get, and can one "
            "person have different roles on different projects?"
        ),
        tags=("user-management", "documentation"),
        reply=(
            "Project editors can post updates and enter results; M&E managers can also approve "
            "results and lock periods. Roles belong to a person within an organisation, and you "
            "can restrict a user to chosen projects, so someone can be editor on one project "
            "and have no access to another. The article “User roles in RSR” has a table of what "
            "each role may do."
        ),
    ),
    T(
        RSR, BUG, "Project page still shows the old photo after updating it",
        description="We replaced the main photo of “{project}” a week ago.",
        what_doing="Changing the project photo in the project editor and saving.",
        expected="The new photo on the public project page.",
        actual=(
            "The editor shows the new photo; the public page and our organisation page still "
            "show the old one, also in a private browser window."
        ),
        steps=(
            "1. Open the editor of “{project}”.\n2. Replace the photo and save.\n"
            "3. Open the public project page."
        ),
        tags=("reports-and-results",), impacts=(0, 0, 20, 80),
        fix="The page cache had kept the old photo. We cleared it; the new photo shows now.",
    ),
    T(
        RSR, BUG, "Updates posted by field staff not visible on the project page",
        description="Our field staff posted {n} updates this month but none of them is public.",
        what_doing="Posting a project update with photos on “{project}” as project editor.",
        expected="The update on the public project page, as before.",
        actual=(
            "The update appears in My RSR, but the public page still shows the last update from "
            "{period}."
        ),
        steps=(
            "1. In My RSR open “{project}”.\n2. Add an update with a photo and publish.\n"
            "3. Open the public project page."
        ),
        tags=("reports-and-results",),
    ),
    T(
        RSR, FEATURE, "Copy a results framework to a new project",
        description=(
            "We start {n} new projects each year with the same results framework (about 20 "
            "indicators). Typing it again each time takes a day and causes mistakes. Could we "
            "copy the framework of an existing project, such as “{project}”, into a new one?"
        ),
        tags=("reports-and-results",),
    ),
    T(
        RSR, BUG, "IATI export fails validation on the budget element",
        description="Our IATI file does not pass the validator since we added the 2026 budget.",
        what_doing="Creating a new IATI export for {org} in My RSR > IATI.",
        expected="A valid file that the IATI registry accepts.",
        actual=(
            "The export finishes, but the validator reports “budget: period-end must be after "
            "period-start” for “{project}”. The dates in RSR look right: 1 January to "
            "31 December 2026."
        ),
        steps=(
            "1. Go to My RSR > IATI.\n2. Select all projects and create an export.\n"
            "3. Run the file through the IATI validator."
        ),
        tags=("api-and-integrations", "data-export"),
        fix=(
            "The export wrote budget dates in the server's time zone, which moved 1 January to "
            "31 December for some projects. The fix is live; please create a new export."
        ),
    ),
    T(
        RSR, QUESTION, "Why is our new project not listed on our organisation page?",
        description=(
            "We published “{project}” last week. It opens with its link, but it is not in the "
            "project list of our organisation page or in the project directory. Is there a "
            "setting we missed?"
        ),
        tags=("reports-and-results",),
        reply=(
            "The project lists show projects where your organisation is a partner with a "
            "reporting role. In the editor of “{project}”, section Partners, your organisation "
            "is listed only as funder; add the role Reporting organisation and the project will "
            "appear in the lists within an hour."
        ),
    ),
    T(
        RSR, BUG, "Invitation email to a new user never arrives",
        description="I invited {colleague} twice, but no email arrived (not in spam either).",
        what_doing="Inviting a new user with the Project editor role in My RSR > Users.",
        expected="An invitation email with a link to set a password.",
        actual=(
            "My RSR says “Invitation sent” but nothing arrives. Colleagues invited last month "
            "did get the email."
        ),
        steps="1. Go to My RSR > Users.\n2. Click Invite, fill in the address and role, send.",
        tags=("notifications-and-email", "user-management"),
        fix=(
            "Your mail server rejected our invitations as bulk mail. We sent the invitation "
            "again from the support address, and your IT team has allowed our sender."
        ),
    ),
    T(
        RSR, FEATURE, "Import indicator targets from a spreadsheet",
        description=(
            "We have about {n}0 indicators across {n} projects, with quarterly targets. Typing "
            "them one by one takes days. Could we upload the targets from Excel, in the same "
            "layout as the results export?"
        ),
        tags=("data-import", "reports-and-results"),
    ),
    T(
        RSR, BUG, "Results page takes more than a minute to load",
        description="The results page of our largest project has become very slow.",
        what_doing="Opening the results of “{project}” in My RSR with {browser} on {os}.",
        expected="The list of indicators within a few seconds.",
        actual=(
            "The page takes 60 to 90 seconds; sometimes the browser offers to stop the page. "
            "The project has 48 indicators and 6 years of periods."
        ),
        steps="1. Log in to My RSR.\n2. Open “{project}”.\n3. Click Results.",
        tags=("performance",),
    ),
    T(
        RSR, BUG, "Changes to the results framework lost after saving (error 500)",
        description="Every time we save the results framework we get an error page.",
        what_doing="Adding two indicators to the results framework of “{project}”.",
        expected="The framework saved with the new indicators.",
        actual=(
            "“Server error (500)” after clicking Save; after a reload the new indicators are "
            "gone. Our donor report is due on the 15th."
        ),
        steps=(
            "1. Open the editor of “{project}”, section Results.\n"
            "2. Add an indicator with a baseline.\n3. Click Save."
        ),
        tags=("reports-and-results",), impacts=(10, 55, 30, 5),
    ),
    # ---- Akvo Lumen -----------------------------------------------------------
    T(
        LUMEN, BUG, "Lumen dashboard visualisation shows wrong totals after dataset update",
        description="After updating the dataset, the totals on our dashboard no longer match.",
        what_doing=(
            "Updating the dataset “{dataset}” from Flow and opening the dashboard "
            "“{lumen_dashboard}”."
        ),
        expected="“{visualisation}” shows the new totals; the dataset now has {rows} rows.",
        actual=(
            "The chart shows roughly twice the real totals. A pivot table on the same column "
            "gives the right numbers."
        ),
        steps=(
            "1. Open the dataset “{dataset}” and click Update.\n2. Wait for the update to end.\n"
            "3. Open the dashboard “{lumen_dashboard}”.\n"
            "4. Compare “{visualisation}” with a pivot table of the same column."
        ),
        tags=("dashboards-and-visualisation",), impacts=(1, 35, 45, 19),
        fix=(
            "The update had appended the new responses without removing the earlier copies, "
            "because the dataset's key column was changed after the first import. We rebuilt "
            "the dataset from Flow; the totals are right again."
        ),
    ),
    T(
        LUMEN, BUG, "Importing a Flow survey into Lumen fails",
        description="Importing a survey as a new dataset fails after a few minutes.",
        what_doing=(
            "Adding a dataset from Akvo Flow, choosing the folder “{folder}” and the survey "
            "“{survey}”."
        ),
        expected="A dataset with all responses, ready to use.",
        actual=(
            "The import runs for a while, then “Failed to import dataset: an unexpected error "
            "occurred”. Other surveys import fine."
        ),
        steps=(
            "1. Click Dataset > New dataset.\n2. Choose Akvo Flow, the folder and the survey.\n"
            "3. Click Import."
        ),
        tags=("data-import", "api-and-integrations"),
        fix=(
            "A question of type “caddisfly” in the survey was not supported by the importer. "
            "The fix is released; the survey imports now."
        ),
    ),
    T(
        LUMEN, BUG, "Map visualisation does not show the newly collected points",
        description="Points collected this month do not appear on our map.",
        what_doing="Opening the map “{visualisation}” after updating “{dataset}”.",
        expected="All {rows} points, including this month's.",
        actual=(
            "Only the points from before the update show. The new rows are in the dataset with "
            "valid coordinates."
        ),
        steps=(
            "1. Update “{dataset}”.\n2. Open the map “{visualisation}”.\n"
            "3. Zoom to {region}."
        ),
        tags=("dashboards-and-visualisation",),
    ),
    T(
        LUMEN, QUESTION, "How can we share a dashboard with our donor without an account?",
        description=(
            "Our donor would like to follow “{lumen_dashboard}” every month. They do not want "
            "another login. Can we share the dashboard with a link, and can we protect it with "
            "a password?"
        ),
        tags=("dashboards-and-visualisation", "user-management"),
        reply=(
            "Yes: open the dashboard, click Share and switch on the public link. Anyone with the "
            "link sees the dashboard read-only, without logging in, and it follows your updates. "
            "You can add a password to the link in the same window, and switch the link off at "
            "any time."
        ),
    ),
    T(
        LUMEN, QUESTION, "How do I merge two datasets?",
        description=(
            "We want to combine “{dataset}” with the RSR indicators export, matching rows on the "
            "district name. Which transformation should we use, and what happens to rows that "
            "do not match?"
        ),
        tags=("data-import", "documentation"),
        reply=(
            "Use the Merge datasets transformation on “{dataset}”: choose the RSR dataset, the "
            "district column on both sides and the columns to bring over. It keeps every row of "
            "“{dataset}”; rows without a match get empty values in the merged columns. Make sure "
            "the district names are spelled alike in both (the Change case and Trim "
            "transformations help)."
        ),
    ),
    T(
        LUMEN, FEATURE, "Schedule an automatic dataset update from Flow",
        description=(
            "We update “{dataset}” by hand every morning so that the dashboard "
            "“{lumen_dashboard}” is current for the field coordinators. Could Lumen update a "
            "Flow dataset on a schedule, for example every night?"
        ),
        tags=("data-import", "api-and-integrations"),
    ),
    T(
        LUMEN, BUG, "Pivot table CSV export is missing columns",
        description="The CSV of our pivot table has fewer columns than the table on screen.",
        what_doing="Downloading the pivot table “{visualisation}” as CSV.",
        expected="The same rows and columns as on screen.",
        actual="The CSV stops after the seventh column; the table on screen has twelve.",
        steps="1. Open “{visualisation}”.\n2. Click Download > CSV.\n3. Open the file.",
        tags=("data-export",), impacts=(0, 10, 50, 40),
    ),
    T(
        LUMEN, BUG, "Date column becomes text after changing the column type",
        description="We cannot filter by date any more after a transformation.",
        what_doing="Changing the type of the column “Visit date” in “{dataset}” to date.",
        expected="A date column we can filter and chart by month.",
        actual=(
            "The transformation succeeds, but the column stays text and half of the values "
            "become empty."
        ),
        steps=(
            "1. Open “{dataset}”.\n2. Column menu of “Visit date” > Change data type > Date.\n"
            "3. Choose the format DD/MM/YYYY and apply."
        ),
        tags=("data-import",),
        fix=(
            "The dates were a mix of DD/MM/YYYY and YYYY-MM-DD from two versions of the survey. "
            "Splitting the column by format first, as shown in the attached steps, converts all "
            "of them."
        ),
    ),
    T(
        LUMEN, BUG, "Embedded dashboard on our website shows “Not authorised”",
        description="The dashboard we embed on our website stopped working.",
        what_doing="Opening our website's results page, which embeds “{lumen_dashboard}”.",
        expected="The dashboard inside the page, as last month.",
        actual="The frame shows “Not authorised”. Opening the share link directly works.",
        steps="1. Open our results page.\n2. Scroll to the dashboard frame.",
        tags=("dashboards-and-visualisation", "login-and-access"), impacts=(1, 30, 49, 20),
    ),
    T(
        LUMEN, FEATURE, "Download a dashboard as PDF for board reports",
        description=(
            "Every quarter we paste screenshots of “{lumen_dashboard}” into the report for our "
            "board. A PDF download of the whole dashboard, with the date and filters printed on "
            "it, would make this much easier."
        ),
        tags=("dashboards-and-visualisation", "data-export"),
    ),
    T(
        LUMEN, QUESTION, "Why does the pie chart group small values into “Other”?",
        description=(
            "In “{visualisation}” the smaller districts are grouped into one “Other” slice. Our "
            "director wants to see all of them. Can we turn the grouping off?"
        ),
        tags=("dashboards-and-visualisation",),
        reply=(
            "Pie charts group slices below a small share into “Other” to stay readable. In the "
            "visualisation editor, open the legend settings and raise the number of slices, or "
            "switch to a bar chart, which shows every district."
        ),
    ),
    T(
        LUMEN, BUG, "Lumen very slow when filtering a large dataset",
        description="Filters on our largest dataset take minutes.",
        what_doing=(
            "Applying a filter on “{dataset}” ({rows} rows) in {browser} on {os}."
        ),
        expected="The filtered rows within a few seconds.",
        actual="The spinner runs for two to four minutes; the browser tab uses 3 GB of memory.",
        steps="1. Open “{dataset}”.\n2. Column menu > Filter > “District is {region}”.",
        tags=("performance",),
    ),
    T(
        LUMEN, BUG, "Cannot log in to our Lumen instance since this morning",
        description="All of us get an error after entering our password.",
        what_doing="Logging in to {lumen_instance} in {browser}.",
        expected="The Lumen library.",
        actual="“Invalid redirect” after the login page, for every user of our organisation.",
        steps="1. Open {lumen_instance}.\n2. Log in.\n3. The error appears.",
        tags=("login-and-access",), impacts=(40, 45, 15, 0),
        fix=(
            "The login configuration of {lumen_instance} pointed to an old address after last "
            "night's maintenance. It is corrected and everyone can log in again."
        ),
    ),
    # ---- Other ----------------------------------------------------------------
    T(
        OTHER, QUESTION, "Training for new M&E staff on Flow and Lumen",
        description=(
            "We have {n} new M&E officers starting next month. Do you offer training, online or "
            "in {region}, and what would it cost? Ideally two days: survey design, then "
            "dashboards."
        ),
        tags=("documentation",),
        reply=(
            "We do: there is a two-day online course (survey design on day one, data cleaning "
            "and dashboards on day two), and our {hub} team can also train on site. I have "
            "passed your request to your partnership manager, who will send dates and a quote "
            "this week. Meanwhile the support site's “Getting started” guides are a good "
            "preparation."
        ),
    ),
    T(
        OTHER, QUESTION, "Licence renewal and invoice for 2026",
        description=(
            "Our finance team needs the invoice for the 2026 licence of {org} before the end of "
            "the month, addressed to our country office in {region}. Who should we contact?"
        ),
        tags=("documentation",),
        reply=(
            "I have forwarded your message to our finance colleagues, who will send the "
            "invoice to your country office within three working days. For future questions "
            "about invoices you can write to them directly at finance@example.org."
        ),
    ),
    T(
        OTHER, QUESTION, "Which tool should we use to report project indicators?",
        description=(
            "We are starting a {n}-year programme and must report 15 indicators to our donor "
            "every six months. We already collect data with Flow. Should we report in RSR, or "
            "build a Lumen dashboard? What do other partners do?"
        ),
        tags=("documentation", "reports-and-results"),
        reply=(
            "Most partners in your situation report indicators in RSR, because it holds targets, "
            "periods and approvals and can publish to IATI, and use Lumen for analysis and "
            "dashboards on the Flow data. The two work well together: Lumen can import RSR "
            "results. Happy to set up a short call to look at your indicators together."
        ),
    ),
    T(
        OTHER, BUG, "Password reset emails end up in spam",
        description="Our staff do not receive the password reset emails, or find them in spam.",
        what_doing="Requesting a password reset from the login page.",
        expected="The reset email in the inbox within a minute.",
        actual="The email lands in the spam folder of our Outlook accounts, or not at all.",
        steps="1. Click “Forgot password”.\n2. Enter the address and submit.",
        tags=("notifications-and-email", "login-and-access"), impacts=(0, 15, 55, 30),
        fix=(
            "Our sender was missing from the list your mail server trusts. Your IT colleagues "
            "added it; the emails now reach the inbox."
        ),
    ),
    T(
        OTHER, FEATURE, "Single sign-on with our Microsoft 365 accounts",
        description=(
            "We use Flow, RSR and Lumen with {n}0 staff. Managing three passwords per person is a "
            "burden and our IT policy asks for single sign-on. Could we log in with our "
            "Microsoft 365 accounts?"
        ),
        tags=("login-and-access",),
    ),
    T(
        OTHER, QUESTION, "Where is our survey data hosted? (data protection questionnaire)",
        description=(
            "Our donor asks us to fill in a data protection questionnaire. Where are our Flow "
            "and Lumen data stored, who can access them, and do you have a data processing "
            "agreement we can sign?"
        ),
        tags=("documentation",),
        reply=(
            "The data is hosted in data centres in the European Union, encrypted at rest and in "
            "transit, and only our operations staff can reach the servers. I have attached our "
            "standard data processing agreement and the security summary most donors ask for; "
            "send us the questionnaire if anything is left open."
        ),
    ),
    T(
        OTHER, QUESTION, "Remove the account of a colleague who left",
        description=(
            "{colleague} left our organisation last week. Please remove their access to all "
            "Akvo tools. Their surveys and datasets should stay with us."
        ),
        tags=("user-management",),
        reply=(
            "Done: {colleague}'s accounts are deactivated in Flow, RSR and Lumen. Their surveys, "
            "datasets and dashboards stay in your organisation; I moved the ownership of the "
            "Lumen items to you."
        ),
    ),
    T(
        OTHER, FEATURE, "API access to push survey data into our national database",
        description=(
            "The Ministry in {country} runs a national water point database. We would like "
            "our Flow submissions to reach it automatically instead of through monthly Excel "
            "files. Is there an API we can use, or could one be added?"
        ),
        tags=("api-and-integrations", "data-export"),
    ),
)  # fmt: skip
del T

# Values for the {placeholders}. Survey and dataset names are the partner's own.
SINCE = ("Since yesterday", "Since Monday morning", "Since the weekend", "Since this morning",
         "For two days now", "Since the app update")  # fmt: skip
SURVEYS = ("Water point mapping 2026", "Household WASH baseline", "School sanitation monitoring",
           "Borehole functionality check", "Farmer training attendance",
           "Latrine construction follow-up", "Coffee farm census", "Handwashing station check",
           "Water quality testing (E. coli)", "Irrigation scheme registration",
           "Community health worker visits", "Cocoa cooperative baseline",
           "Spring source mapping", "Market price monitoring")  # fmt: skip
FOLDERS = ("2026 / Q1 monitoring", "Baseline surveys", "County programmes", "Pilot 2025",
           "Endline", "Water points", "Health facilities", "Training")  # fmt: skip
DEVICES = ("Samsung Galaxy A14", "Samsung Galaxy Tab A8", "Tecno Spark 10", "Infinix Hot 30",
           "Xiaomi Redmi 12", "Nokia G21", "Huawei Y7", "itel A70", "Samsung Galaxy A05s",
           "Oppo A17", "Motorola Moto G13")  # fmt: skip
ANDROID = ("Android 10", "Android 11", "Android 12", "Android 13", "Android 14")
FLOW_APP_VERSIONS = ("2.17.3", "2.18.4", "2.19.0", "2.19.2", "2.20.1")
BROWSERS = ("Chrome 131", "Chrome 128", "Firefox 133", "Edge 131", "Safari 17.6")
OPERATING_SYSTEMS = ("Windows 11", "Windows 10", "macOS 14", "Ubuntu 22.04", "ChromeOS")
LANGUAGES = ("French", "Swahili", "Amharic", "Bahasa Indonesia", "Spanish", "Portuguese",
             "Hausa", "Nepali")  # fmt: skip
ASSIGNMENTS = ("Enumerators North", "Field team B", "Data collectors 2026", "District officers",
               "Endline team")  # fmt: skip
PROJECTS = ("Clean water for 40 schools", "Climate-smart dairy value chains",
            "Resilient cocoa livelihoods", "WASH in health facilities",
            "Urban sanitation for informal settlements", "Coffee farmer income programme",
            "Watershed restoration", "Youth employment in agribusiness",
            "Menstrual hygiene in secondary schools", "Safe water enterprises",
            "Community-led total sanitation scale-up")  # fmt: skip
INDICATORS = ("Number of people with access to basic drinking water", "Number of farmers trained",
              "% of schools with functional latrines", "Hectares under improved management",
              "Households with a handwashing facility", "Average yield per hectare (kg)",
              "Women in water committee leadership")  # fmt: skip
PERIODS = ("January to June 2025", "July to December 2025", "Q4 2025", "Q1 2026", "2025")
RSR_ROLES = ("M&E manager", "Project editor", "Admin", "User manager")
DATASETS = ("Water point survey (all responses)", "Household baseline 2025 (cleaned)",
            "RSR indicators export", "School WASH monitoring", "Farmer census merged",
            "Borehole repairs log", "Spring discharge measurements")  # fmt: skip
VISUALISATIONS = ("Functional water points by district", "Average household size by district",
                  "Latrine coverage map", "Monthly repairs", "Yield per hectare by cooperative",
                  "Schools by sanitation status", "Water quality results map")  # fmt: skip
LUMEN_DASHBOARDS = ("Programme overview", "WASH dashboard", "Board report 2026",
                    "Field monitoring", "Donor dashboard")  # fmt: skip


def request_values(rng: random.Random, partner: DemoPartner | None) -> dict[str, str]:
    """Everything a template's {placeholders} may ask for, for one request."""
    short = partner.short if partner else "demo"
    hub_people = NAMES_BY_HUB[partner.hub if partner else "europe"]
    return {
        "since": rng.choice(SINCE),
        "survey": rng.choice(SURVEYS),
        "folder": rng.choice(FOLDERS),
        "forms": str(rng.randint(6, 140)),
        "responses": f"{rng.randint(2, 90) * 1000 + rng.randint(0, 999):,}",
        "photos": str(rng.randint(12, 400)),
        "device": rng.choice(DEVICES),
        "android": rng.choice(ANDROID),
        "app_version": rng.choice(FLOW_APP_VERSIONS),
        "language": rng.choice(LANGUAGES),
        "assignment": rng.choice(ASSIGNMENTS),
        "enumerators": str(rng.randint(6, 45)),
        "short": short.upper(),
        "flow_instance": f"{short}.akvoflow.org",
        "lumen_instance": f"{short}.akvolumen.org",
        "project": rng.choice(PROJECTS),
        "indicator": rng.choice(INDICATORS),
        "period": rng.choice(PERIODS),
        "dataset": rng.choice(DATASETS),
        "visualisation": rng.choice(VISUALISATIONS),
        "lumen_dashboard": rng.choice(LUMEN_DASHBOARDS),
        "rows": f"{rng.randint(3, 250) * 1000:,}",
        "browser": rng.choice(BROWSERS),
        "os": rng.choice(OPERATING_SYSTEMS),
        "hour": str(rng.randint(7, 15)),
        "n": str(rng.randint(2, 9)),
        "colleague": f"{rng.choice(hub_people[0])} {rng.choice(hub_people[1])}",
        "org": partner.name if partner else "our organisation",
        "country": partner.country if partner else "Kenya",
        "region": partner.region if partner else "the field",
        "hub": (partner.hub.replace("-", " ").title() if partner else "regional"),
        "project_id": str(rng.randint(4000, 11999)),
    }


def product_details(
    rng: random.Random, report_fields: Sequence[dict[str, Any]], values: dict[str, str]
) -> dict[str, str]:
    """Fill the product's report fields the way people do: most of them, rarely all."""
    by_name = {
        "dashboard": (0.9, values["flow_instance"]),
        "folder": (0.8, values["folder"]),
        "survey": (0.95, values["survey"]),
        "assignment": (0.5, values["assignment"]),
        "device_id": (0.5, f"{values['device'].split()[0].lower()}-{rng.randint(1, 60):02d}"),
        "imei": (0.2, "35" + "".join(str(rng.randint(0, 9)) for _ in range(13))),
        "user_role": (0.8, rng.choice(RSR_ROLES)),
        "project": (0.95, values["project"]),
        "organisation": (0.7, values["org"]),
        "rsr_page": (0.6, f"/my-rsr/projects/{values['project_id']}/results"),
        "instance": (0.9, values["lumen_instance"]),
        "user": (0.5, values["colleague"]),
        "dataset": (0.95, values["dataset"]),
        "visualisation": (0.7, values["visualisation"]),
    }
    # Lumen's reports also have a "dashboard" field: there it means a Lumen dashboard.
    if any(f.get("name") == "instance" for f in report_fields):
        by_name["dashboard"] = (0.6, values["lumen_dashboard"])
    details = {}
    for report_field in report_fields:
        name = str(report_field.get("name", ""))
        chance, value = by_name.get(name, (0.0, ""))
        if rng.random() < chance:
            details[name] = value
    return details


def environment(rng: random.Random, uses: str, values: dict[str, str]) -> dict[str, str]:
    """Browser, device and app version, as a Contact Us form collects them."""
    if uses == "app":
        return {
            "device": values["device"],
            "os": values["android"],
            "app_version": f"Flow app {values['app_version']}",
        }
    env = {"browser": rng.choice(BROWSERS), "os": rng.choice(OPERATING_SYSTEMS)}
    if rng.random() < 0.15:
        env["screen"] = rng.choice(("1366x768", "1920x1080", "1280x800"))
    return env


# What people add to a subject to say which survey, project or dataset it is about.
SUBJECT_CONTEXT = {
    FLOW: ("{survey}", "{flow_instance}"),
    RSR: ("{project}",),
    LUMEN: ("{dataset}", "{lumen_dashboard}"),
    OTHER: ("{org}",),
}


def render_request(
    rng: random.Random, template: RequestTemplate, values: dict[str, str]
) -> dict[str, str]:
    """The template's texts; the subject as people write it, often naming what it is about."""
    text = template.render(values)
    subject = text["subject"]
    roll = rng.random()
    if roll < 0.35:
        context = rng.choice(SUBJECT_CONTEXT.get(template.product, ("{org}",)))
        subject = f"{subject} ({context.format_map(values)})"
    elif roll < 0.45:
        subject = f"{values['short']}: {subject}"
    elif roll < 0.5 and template.category == BUG:
        subject = f"Urgent: {subject}"
    text["subject"] = subject[:200]
    return text


# What L1 writes back. {first_name} is the requester's, {agent} signs.
SIGN_OFF = "\n\nBest regards,\n{agent}\nSupport team"
ACKNOWLEDGEMENTS = (
    "Hi {first_name},\n\nThank you for the report and for the steps to reproduce it. I can see "
    "the same behaviour on our side and I am looking into it now. I will update you here as "
    "soon as I know more.",
    "Hi {first_name},\n\nThanks for the clear description. We are checking the logs of your "
    "{product} instance and will come back to you today.",
    "Hello {first_name},\n\nThank you for getting in touch. I have reproduced the problem on our "
    "test environment and I am working out the cause with a colleague.",
)
ASK_FOR_DETAILS = {
    FLOW: "Hi {first_name},\n\nThank you for writing in. To find out what is going on, could you "
    "send us:\n\n- the device ID of one affected phone (Flow app > Settings > About),\n- a "
    "screenshot of the message you see,\n- whether all phones have the problem or only some?\n\n"
    "Please don't uninstall the app or clear its data meanwhile: unsent forms live only on the "
    "phones until they sync.",
    RSR: "Hi {first_name},\n\nThank you for writing in. Could you send us the link to the page "
    "where this happens, the email of the account that sees it, and a screenshot? Then we can "
    "look at exactly the same thing.",
    LUMEN: "Hi {first_name},\n\nThank you for writing in. Could you tell us the name of the "
    "dataset and the visualisation, send a screenshot of the visualisation's settings, and say "
    "roughly when the dataset was last updated?",
    OTHER: "Hi {first_name},\n\nThank you for your message. Could you tell us a little more: "
    "which product and account is this about, and who else in your organisation is involved?",
}
DETAILS_FROM_REQUESTER = {
    FLOW: "Hi,\n\nThe device ID is {device_id} and the screenshot is attached. It is only the "
    "phones we updated last week; the older ones still sync.\n\nThanks,\n{first_name}",
    RSR: "Hello,\n\nThe page is {rsr_page} and it happens with my own account and my "
    "colleague's. Screenshot attached.\n\nRegards,\n{first_name}",
    LUMEN: "Hi,\n\nThe dataset is “{dataset}”, the visualisation “{visualisation}”. I updated "
    "the dataset yesterday afternoon. Screenshot attached.\n\n{first_name}",
    OTHER: "Hello,\n\nIt is about our main account; my colleague {colleague} is in copy. "
    "Thanks for your help.\n\n{first_name}",
}
FEATURE_REPLY = (
    "Hi {first_name},\n\nThank you for the suggestion, and for explaining what it would save "
    "your team. I have passed it on to the {product} product team, who go through feature "
    "requests every month when they plan the next releases. I cannot promise a date, but we "
    "will let you know when it is picked up."
)
FIX_REPLY = (
    "Hi {first_name},\n\nGood news: {fix}\n\nCould you check on your side and tell us whether "
    "all is well again? If we don't hear from you, this ticket closes by itself in a week."
)
GENERIC_FIXES = (
    "the developers found the cause and the fix went out with release {release} this morning.",
    "it was a configuration problem on your instance, which we have corrected.",
    "the problem came from a change in last week's release; it has been reverted.",
)
ANSWER_REPLY = "Hi {first_name},\n\n{answer}\n\nDoes this answer your question?"
CHASERS = (
    "Hello, is there any news on this? Our team is waiting to continue.\n\n{first_name}",
    "Hi, just checking in: the field team starts again on Monday and this is blocking us.\n\n"
    "{first_name}",
)
THANKS = (
    "Thank you, it works again!\n\n{first_name}",
    "Confirmed on our side, everything looks right now. Many thanks.\n\n{first_name}",
    "Great, thanks for the quick help.\n\n{first_name}",
)
INTERNAL_NOTES = (
    "Partner has a donor report due at the end of the month: keep them posted.",
    "A similar report came from another partner last week; may be the same cause.",
    "Called {first_name} to confirm the details; the workaround is fine for them for now.",
    "Could not reproduce with a fresh account on the test instance; looks data-specific.",
    "Checked the server logs: the errors start right after Tuesday's deployment.",
    "Large partner, several teams affected. Flagged to the support manager.",
)
ESCALATION_NOTES = (
    "Reproduced on the test instance. Needs a code fix, so escalating to L2: filed as "
    "{repository}#{issue}.",
    "Escalating to L2: this needs a change on the server. GitHub issue {repository}#{issue} "
    "has the steps and the partner's details.",
)
L2_NOTES = (
    "Root cause found; the fix is in review in {repository}#{issue}.",
    "Confirmed the bug. Fix planned for release {release}.",
    "Reproduced with the partner's data on staging; working on it.",
)
L2_DONE_NOTES = (
    "Fixed in {repository}#{issue}, deployed with release {release}. L1, please inform the "
    "partner.",
    "Deployed the fix to production ({release}). Back to L1 to confirm with the partner.",
)


def first_name(name: str) -> str:
    return name.split()[0] if name.strip() else "there"


# --------------------------------------------------------------------------- #
# The catalogue: templates joined with the rows they refer to                 #
# --------------------------------------------------------------------------- #


@dataclass
class Catalogue:
    """The database rows the generators pick from, loaded once per run."""

    products: dict[str, Product]
    categories: dict[str, Category]
    impacts: list[Impact]  # most severe first
    tags: dict[str, IssueTag]
    partners: list[tuple[DemoPartner, Partner]]
    templates_by_product: dict[str, list[RequestTemplate]]

    @classmethod
    def load(cls) -> Catalogue:
        """Read the taxonomy; the demo partners are created first if they are missing."""
        partners, _ = seed_partners()
        by_product: dict[str, list[RequestTemplate]] = {}
        for template in TEMPLATES:
            by_product.setdefault(template.product, []).append(template)
        return cls(
            products={p.slug: p for p in Product.objects.all()},
            categories={c.slug: c for c in Category.objects.all()},
            impacts=list(Impact.objects.order_by("level")),
            tags={t.slug: t for t in IssueTag.objects.all()},
            partners=[(demo, partners[demo.name]) for demo in DEMO_PARTNERS],
            templates_by_product=by_product,
        )

    def pick_template(self, rng: random.Random, demo: DemoPartner | None) -> RequestTemplate:
        """A request about a product the partner uses; now and then about anything else."""
        products = list(demo.products) if demo else [FLOW, RSR, LUMEN]
        product = OTHER if rng.random() < 0.08 else rng.choice(products)
        return rng.choice(self.templates_by_product[product])

    def pick_impact(self, rng: random.Random, template: RequestTemplate) -> Impact | None:
        if not self.impacts:
            return None
        weights = list(template.impact_weights())
        weights += [1] * (len(self.impacts) - len(weights))
        return rng.choices(self.impacts, weights=weights[: len(self.impacts)])[0]

    def report_fields(self, product_slug: str) -> list[dict[str, Any]]:
        product = self.products.get(product_slug)
        return list(product.report_fields) if product else []

    def contact_us_request(
        self, rng: random.Random, requesters: Sequence[Requester]
    ) -> dict[str, Any]:
        """Keyword arguments for services.ticket_create, as the Contact Us form sends them."""
        requester = rng.choice(requesters)
        demo = _demo_partner_for(requester.partner)
        template = self.pick_template(rng, demo)
        values = request_values(rng, demo)
        return {
            "requester_email": requester.email,
            "requester_name": requester.name,
            "channel": Channel.WEB,
            "product": self.products.get(template.product),
            "category": self.categories.get(template.category),
            "partner": requester.partner,
            "product_details": product_details(rng, self.report_fields(template.product), values),
            "environment": environment(rng, template.uses, values),
            **render_request(rng, template, values),
        }


def _demo_partner_for(partner: Partner | None) -> DemoPartner | None:
    if partner is None:
        return None
    for demo in DEMO_PARTNERS:
        if demo.name.lower() == partner.name.lower():
            return demo
    return None


# --------------------------------------------------------------------------- #
# Time                                                                         #
# --------------------------------------------------------------------------- #


def working_time(rng: random.Random, now: datetime, days_ago: float, hub: str | None) -> datetime:
    """A moment about ``days_ago`` back, on a weekday, in the hub's working hours (mostly)."""
    offset = HUB_UTC_OFFSET_HOURS.get(hub or "", 0)
    local_now = now + timedelta(hours=offset)
    day = local_now - timedelta(days=days_ago)
    if day.weekday() >= 5 and rng.random() < 0.85:
        # People write on a weekend, but far less: move most to the Friday before.
        day -= timedelta(days=day.weekday() - 4)
    hour = rng.triangular(7.0, 18.5, 10.5) if rng.random() < 0.9 else rng.uniform(0, 24)
    local = day.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(hours=hour)
    moment = local - timedelta(hours=offset)
    if moment > now:
        moment = now - timedelta(minutes=rng.uniform(5, 240))
    return moment


def first_response_due(received: datetime) -> datetime:
    """One working day later (weekends skipped); the commitment in the support workflow."""
    due = received + timedelta(days=1)
    while due.weekday() >= 5:
        due += timedelta(days=1)
    return due


def status_for_age(rng: random.Random, days: float) -> str:
    """Recent tickets are still being worked on; older ones are nearly all done.

    "Resolved" here means done: the generators close a resolved ticket as the
    sweep would, once a quiet week has passed since its resolution.
    """
    if days < 2:
        weights = (40, 25, 12, 8, 15)
    elif days < 14:
        weights = (3, 14, 14, 10, 59)
    elif days < 60:
        weights = (0, 2, 2, 4, 92)
    else:
        weights = (0, 0.1, 0.1, 0.4, 99.4)
    return rng.choices(STATUS_ORDER[:5], weights=weights)[0]


STATUS_ORDER = (
    Status.NEW,
    Status.OPEN,
    Status.WAITING,
    Status.ESCALATED,
    Status.RESOLVED,
    Status.CLOSED,
)


def response_delay_hours(rng: random.Random) -> float:
    """Time to the first reply: usually a couple of hours, sometimes more than a day."""
    return math.exp(rng.uniform(math.log(0.15), math.log(36)))


def channel_for(rng: random.Random, impact: Impact | None) -> str:
    if impact is not None and impact.level == 1 and rng.random() < 0.4:
        return Channel.SLACK  # the workflow asks for Slack when it is urgent
    return rng.choices(
        (Channel.WEB, Channel.EMAIL, Channel.SLACK, Channel.PHONE, Channel.OTHER),
        weights=(55, 25, 8, 5, 7),
    )[0]


# --------------------------------------------------------------------------- #
# The demo: tickets through the services                                       #
# --------------------------------------------------------------------------- #


@dataclass
class DemoReport:
    staff: list[StaffAccount]
    partners_created: int
    requesters_created: int
    tickets_created: int
    tickets_total: int


def demo_ticket_count() -> int:
    return Ticket.objects.filter(requester__email__in=demo_requester_emails()).count()


@transaction.atomic
def seed_demo(
    *, tickets: int = DEFAULT_DEMO_TICKETS, seed: int = DEFAULT_SEED, debug: bool
) -> DemoReport:
    """Create the demo once: staff, partners, requesters and ``tickets`` worked tickets.

    Running it again creates nothing: people and partners are found by name or
    email, and only the tickets missing from ``tickets`` are added.
    """
    staff = seed_staff(debug=debug)
    partners, partners_created = seed_partners()
    requesters, requesters_created = seed_requesters(partners)
    existing = demo_ticket_count()
    missing = max(0, tickets - existing)
    if missing:
        # Seeded from what exists, so topping up a partial demo does not repeat its tickets.
        rng = random.Random(seed + existing)  # noqa: S311 - demo content, not secrets
        story = _DemoStories(rng=rng, catalogue=Catalogue.load(), requesters=requesters)
        for index in range(existing, existing + missing):
            story.tell(index)
    return DemoReport(
        staff=staff,
        partners_created=partners_created,
        requesters_created=requesters_created,
        tickets_created=missing,
        tickets_total=existing + missing,
    )


@dataclass
class _Step:
    hours: float  # after the request was received
    action: str
    text: str = ""
    by: User | None = None


class _Stamper:
    """Moves the rows a service just wrote to the moment the story says they happened."""

    def __init__(self, ticket_id: int) -> None:
        self.ticket_id = ticket_id
        self.message_id = 0
        self.event_id = 0

    def stamp(self, at: datetime) -> None:
        messages = Message.objects.filter(ticket_id=self.ticket_id, pk__gt=self.message_id)
        events = TicketEvent.objects.filter(ticket_id=self.ticket_id, pk__gt=self.event_id)
        message_ids = list(messages.values_list("pk", flat=True))
        event_ids = list(events.values_list("pk", flat=True))
        if message_ids:
            Message.objects.filter(pk__in=message_ids).update(created_at=at)
            self.message_id = max(message_ids)
        if event_ids:
            TicketEvent.objects.filter(pk__in=event_ids).update(created_at=at)
            self.event_id = max(event_ids)


class _DemoStories:
    """Plays one ticket's life through the services: request, triage, replies, resolution."""

    # The first tickets cover every status, product/category pair and impact, so a
    # small demo (and the tests) still shows every filter value.
    COVER = (
        (FLOW, BUG), (RSR, QUESTION), (LUMEN, FEATURE), (OTHER, BUG), (FLOW, QUESTION),
        (RSR, FEATURE), (LUMEN, BUG), (OTHER, QUESTION), (FLOW, FEATURE), (RSR, BUG),
        (LUMEN, QUESTION), (OTHER, FEATURE),
    )  # fmt: skip

    def __init__(
        self, *, rng: random.Random, catalogue: Catalogue, requesters: list[Requester]
    ) -> None:
        self.rng = rng
        self.catalogue = catalogue
        self.requesters = requesters
        self.team = Team.load()
        self.now = timezone.now()
        self.triaged = 0

    def _requester_for(self, template: RequestTemplate | None) -> Requester:
        rng = self.rng
        if template is None:
            return rng.choice(self.requesters)
        users = [
            r
            for r in self.requesters
            if (demo := _demo_partner_for(r.partner)) is not None
            and (template.product == OTHER or template.product in demo.products)
        ]
        return rng.choice(users or self.requesters)

    def tell(self, index: int) -> Ticket:
        rng = self.rng
        cover = index < len(self.COVER)
        template: RequestTemplate | None = None
        if cover:
            product, category = self.COVER[index]
            choices = [
                t for t in self.catalogue.templates_by_product[product] if t.category == category
            ]
            template = rng.choice(choices)
        requester = self._requester_for(template)
        demo = _demo_partner_for(requester.partner)
        if template is None:
            template = self.catalogue.pick_template(rng, demo)
        status = STATUS_ORDER[index % len(STATUS_ORDER)] if cover else None
        days_ago = DEMO_SPAN_DAYS * (1 - rng.random() ** 0.6)
        if status is None:
            status = status_for_age(rng, days_ago)
        elif status == Status.CLOSED:
            days_ago = max(days_ago, 30)  # room for the story and the quiet week after it
        elif status == Status.RESOLVED:
            days_ago = min(days_ago, rng.uniform(1, 6))
        elif status in (Status.NEW, Status.OPEN, Status.WAITING):
            days_ago = min(days_ago, rng.uniform(0.2, 6))
        received = working_time(rng, self.now, days_ago, demo.hub if demo else None)
        age_hours = (self.now - received).total_seconds() / 3600
        if status != Status.NEW and age_hours < 1:
            status = Status.NEW  # too fresh for anyone to have answered yet

        impact = None
        if status != Status.NEW:
            if self.triaged < len(self.catalogue.impacts):
                impact = self.catalogue.impacts[self.triaged]
            else:
                impact = self.catalogue.pick_impact(rng, template)
            self.triaged += 1
        channel = Channel.WEB if cover else channel_for(rng, impact)
        values = request_values(rng, demo)
        agent = rng.choice(self.team.triagers) if self.team.triagers else None
        if agent is None:
            status = Status.NEW  # nobody to work the ticket: it waits in the queue
        product = self.catalogue.products.get(template.product)
        can_escalate = bool(product and product.github_repository)
        if status == Status.ESCALATED and not can_escalate:
            status = Status.OPEN  # L2 works in the product's repository; "Other" has none
        steps = self._steps(template, status, agent, age_hours, can_escalate=can_escalate)
        return self._play(
            template=template,
            values=values,
            requester=requester,
            channel=channel,
            impact=impact,
            agent=agent,
            received=received,
            steps=steps,
        )

    def _steps(
        self,
        template: RequestTemplate,
        status: str,
        agent: User | None,
        age_hours: float,
        *,
        can_escalate: bool,
    ) -> list[_Step]:
        """The story from request to ``status``, in hours after the request, fitted to its age."""
        rng = self.rng
        steps = [_Step(0.0, "create")]
        if status == Status.NEW or agent is None:
            return steps
        t = response_delay_hours(rng)
        steps.append(_Step(t, "triage", by=agent))
        is_bug = template.category == BUG

        def add(gap: float, action: str, text: str = "", by: User | None = None) -> None:
            nonlocal t
            t += gap
            steps.append(_Step(t, action, text, by))

        if status == Status.WAITING:
            add(0.1, "reply", "ask", agent)
            add(0.01, "waiting", by=agent)
        elif status == Status.OPEN:
            if rng.random() < 0.5:
                add(0.1, "reply", "ask", agent)
                add(0.01, "waiting", by=agent)
                add(rng.uniform(2, 48), "customer", "details")
            else:
                add(0.1, "reply", "ack" if is_bug else "answer", agent)
            if rng.random() < 0.4:
                add(rng.uniform(0.2, 6), "note", "internal", agent)
        elif status == Status.ESCALATED:
            add(0.1, "reply", "ack", agent)
            add(rng.uniform(1, 24), "escalate", by=agent)
            if rng.random() < 0.5:
                add(rng.uniform(4, 72), "l2_note")
        else:  # resolved or closed
            path = rng.random()
            if is_bug and can_escalate and path < 0.3:
                add(0.1, "reply", "ack", agent)
                add(rng.uniform(1, 24), "escalate", by=agent)
                add(rng.uniform(4, 72), "l2_note")
                add(rng.uniform(24, 240), "l2_resolved")
                add(rng.uniform(0.5, 20), "reply", "fix", agent)
            elif path < 0.55:
                add(0.1, "reply", "ask", agent)
                add(0.01, "waiting", by=agent)
                add(rng.uniform(2, 72), "customer", "details")
                add(rng.uniform(0.5, 24), "reply", "fix" if is_bug else "answer", agent)
            else:
                add(0.1, "reply", "fix" if is_bug else "answer", agent)
            if rng.random() < 0.4:
                add(rng.uniform(0.5, 30), "customer", "thanks")
            add(rng.uniform(0.02, 2), "resolve", by=agent)
            wait = AUTO_CLOSE_AFTER.total_seconds() / 3600 + rng.uniform(0, 12)
            # Closing is the sweep after a quiet week: too young for that, it stays resolved.
            if t + wait < age_hours:
                add(wait, "close")

        # A story longer than the ticket's age is squeezed to fit, keeping its order.
        room = max(age_hours - 0.1, 0.1)
        if steps[-1].hours > room:
            factor = room / steps[-1].hours
            for step in steps:
                step.hours *= factor
        return steps

    def _text(self, kind: str, template: RequestTemplate, context: dict[str, str]) -> str:
        rng = self.rng
        if kind == "ask":
            body = ASK_FOR_DETAILS[template.product] + SIGN_OFF
        elif kind == "ack":
            body = rng.choice(ACKNOWLEDGEMENTS) + SIGN_OFF
        elif kind == "answer":
            if template.reply:
                body = ANSWER_REPLY.replace("{answer}", template.reply) + SIGN_OFF
            else:
                body = FEATURE_REPLY + SIGN_OFF
        elif kind == "fix":
            fix = template.fix or rng.choice(GENERIC_FIXES)
            body = FIX_REPLY.replace("{fix}", fix) + SIGN_OFF
        elif kind == "details":
            body = DETAILS_FROM_REQUESTER[template.product]
        elif kind == "thanks":
            body = rng.choice(THANKS)
        elif kind == "internal":
            body = rng.choice(INTERNAL_NOTES)
        elif kind == "escalation":
            body = rng.choice(ESCALATION_NOTES)
        elif kind == "l2":
            body = rng.choice(L2_NOTES)
        elif kind == "l2_done":
            body = rng.choice(L2_DONE_NOTES)
        else:
            body = kind
        return body.format_map(context)

    def _play(
        self,
        *,
        template: RequestTemplate,
        values: dict[str, str],
        requester: Requester,
        channel: str,
        impact: Impact | None,
        agent: User | None,
        received: datetime,
        steps: list[_Step],
    ) -> Ticket:
        rng = self.rng
        cat = self.catalogue
        product = cat.products.get(template.product)
        category = cat.categories.get(template.category)
        on_behalf = channel in (Channel.SLACK, Channel.PHONE, Channel.OTHER)
        by_email = channel == Channel.EMAIL
        # An agent logs a Slack message or a call a little after the client reached out.
        created = received + timedelta(minutes=rng.uniform(3, 90)) if on_behalf else received
        created = min(created, self.now - timedelta(minutes=1))
        received = min(received, created)
        for step in steps:
            step.hours = max(step.hours, (created - received).total_seconds() / 3600)
        details = product_details(rng, cat.report_fields(template.product), values)
        text = render_request(rng, template, values)
        if by_email:
            # An email is one block of text: no form fields, no product or category yet.
            text["description"] = services.compose_report(
                description=text["description"],
                what_doing=text.pop("what_doing"),
                expected=text.pop("expected"),
                actual=text.pop("actual"),
                steps=text.pop("steps"),
            )
        ticket = services.ticket_create(
            requester_email=requester.email,
            requester_name=requester.name,
            channel=channel,
            product=None if by_email else product,
            category=None if by_email else category,
            partner=requester.partner,
            product_details={} if by_email else details,
            environment={} if by_email else environment(rng, template.uses, values),
            received_at=received,
            by=agent if on_behalf else None,
            notify_requester=False,
            **text,
        )
        stamper = _Stamper(ticket.pk)
        stamper.stamp(created)
        issue = str(rng.randint(1200, 5400))
        release = f"v{rng.randint(1, 3)}.{rng.randint(10, 60)}.{rng.randint(0, 9)}"
        repository = product.github_repository if product and product.github_repository else ""
        context = {
            **values,
            "first_name": first_name(requester.name),
            "agent": agent.get_full_name() if agent else "",
            "product": product.name if product else "",
            "repository": repository,
            "issue": issue,
            "release": release,
            "device_id": details.get("device_id", "samsung-07"),
            "rsr_page": details.get("rsr_page", f"/my-rsr/projects/{values['project_id']}"),
        }
        l2 = rng.choice(self.team.l2) if self.team.l2 else agent
        timestamps: dict[str, datetime] = {}
        for step in steps[1:]:
            at = received + timedelta(hours=step.hours)
            self._act(ticket, step, template, context, requester, l2, impact, by_email)
            stamper.stamp(at)
            timestamps.setdefault(step.action, at)  # the first of each kind counts
            timestamps[f"last_{step.action}"] = at
        last = received + timedelta(hours=steps[-1].hours)
        ticket.refresh_from_db()
        due = first_response_due(received)
        responded = timestamps.get("reply")
        breached = due if (responded or self.now) > due else None
        Ticket.objects.filter(pk=ticket.pk).update(
            created_at=created,
            updated_at=max(last, created),
            first_responded_at=responded,
            first_response_due_at=due,
            first_response_breached_at=breached,
            resolved_at=timestamps.get("last_resolve") if ticket.resolved_at else None,
            closed_at=timestamps.get("close") if ticket.closed_at else None,
        )
        return ticket

    def _act(
        self,
        ticket: Ticket,
        step: _Step,
        template: RequestTemplate,
        context: dict[str, str],
        requester: Requester,
        l2: User | None,
        impact: Impact | None,
        by_email: bool,
    ) -> None:
        cat = self.catalogue
        agent = step.by
        action = step.action
        if action == "triage":
            changes: dict[str, Any] = {"impact": impact}
            if by_email:
                changes["product"] = cat.products.get(template.product)
                changes["category"] = cat.categories.get(template.category)
            services.ticket_change_fields(ticket=ticket, by=agent, changes=changes)
            tags = [cat.tags[slug] for slug in template.tags if slug in cat.tags]
            if tags:
                services.ticket_set_issue_tags(ticket=ticket, tags=tags, by=agent)
            # A critical request is often handed out by the manager.
            assigner = agent
            if impact is not None and impact.level == 1 and self.team.managers:
                assigner = self.team.managers[0]
            services.ticket_assign(ticket=ticket, assignee=agent, by=assigner)
        elif action == "reply":
            services.ticket_add_message(
                ticket=ticket,
                kind=MessageKind.REPLY,
                body=self._text(step.text, template, context),
                by=agent,
                notify=False,
            )
        elif action == "waiting":
            services.ticket_change_status(ticket=ticket, status=Status.WAITING, by=agent)
        elif action == "customer":
            services.ticket_add_message(
                ticket=ticket,
                kind=MessageKind.CUSTOMER,
                body=self._text(step.text, template, context),
                requester=requester,
                notify=False,
            )
        elif action == "note":
            services.ticket_add_message(
                ticket=ticket,
                kind=MessageKind.NOTE,
                body=self._text(step.text, template, context),
                by=agent,
                notify=False,
            )
        elif action == "escalate":
            services.ticket_add_message(
                ticket=ticket,
                kind=MessageKind.NOTE,
                body=self._text("escalation", template, context),
                by=agent,
                notify=False,
            )
            services.ticket_change_escalation_status(
                ticket=ticket, escalation_status=EscalationStatus.ESCALATED, by=agent
            )
            services.ticket_change_status(ticket=ticket, status=Status.ESCALATED, by=agent)
        elif action == "l2_note" and l2 is not None:
            services.ticket_add_message(
                ticket=ticket,
                kind=MessageKind.NOTE,
                body=self._text("l2", template, context),
                by=l2,
                notify=False,
            )
        elif action == "l2_resolved":
            if l2 is not None:
                services.ticket_add_message(
                    ticket=ticket,
                    kind=MessageKind.NOTE,
                    body=self._text("l2_done", template, context),
                    by=l2,
                    notify=False,
                )
            # The GitHub issue closing moves it back to L1: the system does both.
            services.ticket_change_escalation_status(
                ticket=ticket, escalation_status=EscalationStatus.L2_RESOLVED, by=None
            )
            services.ticket_change_status(ticket=ticket, status=Status.OPEN, by=None)
        elif action == "resolve":
            services.ticket_change_status(ticket=ticket, status=Status.RESOLVED, by=agent)
        elif action == "close":
            services.ticket_change_status(ticket=ticket, status=Status.CLOSED, by=None)


# --------------------------------------------------------------------------- #
# Bulk: many tickets, fast, for benchmarks                                     #
# --------------------------------------------------------------------------- #


@dataclass
class BulkReport:
    count: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0


@dataclass
class _Variant:
    """One rendered request, ready to be copied into many rows."""

    subject: str
    description: str
    what_doing: str
    expected: str
    actual: str
    steps: str
    body: str
    product_id: int | None
    category_id: int | None
    is_bug: bool
    can_escalate: bool  # only products with a GitHub repository go to L2
    impact_cum: list[float]
    tag_ids: list[int]
    details_json: str
    env_json: str


@dataclass
class _BulkPartner:
    partner_id: int | None
    hub_id: int | None
    hub_slug: str | None
    requesters: list[tuple[int, str]]  # id, "Name <email>"
    variants: list[_Variant] = field(default_factory=list)


TICKET_COLUMNS = (
    "id", "token", "subject", "description", "what_doing", "expected", "actual", "steps",
    "product_details", "environment", "channel", "requester_id", "partner_id", "hub_id",
    "product_id", "category_id", "impact_id", "status", "escalation_status", "assignee_id",
    "created_by_id", "received_at", "first_response_due_at", "first_responded_at",
    "first_response_breached_at", "resolved_at", "closed_at", "created_at", "updated_at",
)  # fmt: skip
MESSAGE_COLUMNS = ("ticket_id", "kind", "body", "author_requester_id", "email_message_id",
                   "created_at")  # fmt: skip
EVENT_COLUMNS = ("ticket_id", "actor_id", "actor_label", "kind", "field", "old_value",
                 "new_value", "created_at")  # fmt: skip
TAG_COLUMNS = ("ticket_id", "issuetag_id")
VARIANTS_PER_TEMPLATE = 8
# Plain strings in the generated rows: COPY writes them without the model layer.
CHANNELS = tuple(str(c) for c in (Channel.WEB, Channel.EMAIL, Channel.SLACK, Channel.PHONE,
                                  Channel.OTHER))  # fmt: skip
CUSTOMER = str(MessageKind.CUSTOMER)
CREATED = str(EventKind.CREATED)
CHANNEL_CUM = list(itertools.accumulate((55, 25, 8, 5, 7)))
ON_BEHALF = frozenset({Channel.SLACK, Channel.PHONE, Channel.OTHER})


def ensure_bulk_requesters(
    partners: list[tuple[DemoPartner, Partner]],
) -> dict[int | None, list[int]]:
    """A larger, stable pool of requesters per partner (None: no partner); created once.

    They never share an address with the demo's requesters, so bulk tickets are
    not counted as demo tickets.
    """
    wanted: list[Requester] = []
    taken = set(demo_requester_emails())

    def add(name: str, domain: str, partner: Partner | None) -> None:
        email = person_email(name, domain)
        local, _ = email.split("@")
        suffix = 2
        while email in taken:
            email = f"{local}{suffix}@{domain}"
            suffix += 1
        taken.add(email)
        wanted.append(Requester(email=email, name=name, partner=partner))

    for demo, partner in partners:
        firsts, lasts = NAMES_BY_HUB[demo.hub]
        for i in range(BULK_REQUESTERS_PER_PARTNER):
            add(f"{firsts[(i * 7 + len(demo.short)) % len(firsts)]} {lasts[i % len(lasts)]}",
                demo.domain, partner)  # fmt: skip
    hubs = list(NAMES_BY_HUB.values())
    for i in range(BULK_INDEPENDENT_REQUESTERS):
        firsts, lasts = hubs[i % len(hubs)]
        add(f"{firsts[i * 5 % len(firsts)]} {lasts[i * 3 % len(lasts)]}", INDEPENDENT_DOMAIN, None)
    Requester.objects.bulk_create(wanted, ignore_conflicts=True, batch_size=1000)
    pool: dict[int | None, list[int]] = {}
    found = Requester.objects.filter(email__in=[r.email for r in wanted])
    for pk, partner_id in found.order_by("pk").values_list("pk", "partner_id"):
        pool.setdefault(partner_id, []).append(pk)
    return pool


class _BulkGenerator:
    """Makes ticket rows from rendered request variants; a few random draws per ticket."""

    def __init__(self, *, rng: random.Random, catalogue: Catalogue, team: Team) -> None:
        self.rng = rng
        self.catalogue = catalogue
        self.now = timezone.now()
        self.agents = [(u.pk, u.get_full_name() or u.username) for u in team.triagers]
        self.impact_ids = [i.pk for i in catalogue.impacts]
        self.channel_labels = {value: str(label) for value, label in Channel.choices}
        pool = ensure_bulk_requesters(catalogue.partners)
        labels = {
            pk: f"{name} <{email}>" if name else email
            for pk, name, email in Requester.objects.filter(
                pk__in=[pk for ids in pool.values() for pk in ids]
            ).values_list("pk", "name", "email")
        }
        self.partners: list[_BulkPartner] = []
        sources = [(demo, partner.pk, partner.hub_id) for demo, partner in catalogue.partners]
        for demo, partner_id, hub_id in [*sources, (None, None, None)]:
            if not pool.get(partner_id):
                continue
            bulk_partner = _BulkPartner(
                partner_id=partner_id,
                hub_id=hub_id,
                hub_slug=demo.hub if demo else None,
                requesters=[(pk, labels[pk]) for pk in pool[partner_id]],
            )
            bulk_partner.variants = self._variants(demo)
            self.partners.append(bulk_partner)
        # Larger partners write in more: weights fall off with the partner's place.
        self.partner_cum = list(
            itertools.accumulate(
                (1.0 / (1 + i * 0.25) if p.partner_id else 0.3) for i, p in enumerate(self.partners)
            )
        )

    def _variants(self, demo: DemoPartner | None) -> list[_Variant]:
        rng = self.rng
        cat = self.catalogue
        products = list(demo.products) if demo else [FLOW, RSR, LUMEN]
        templates = [t for p in products for t in cat.templates_by_product.get(p, [])]
        others = cat.templates_by_product.get(OTHER, [])
        # About one request in twelve is about something else ("Other"): fewer variants each.
        other_variants = max(
            1, round(len(templates) * VARIANTS_PER_TEMPLATE / 11 / max(1, len(others)))
        )
        plan = [(t, VARIANTS_PER_TEMPLATE) for t in templates] + [
            (t, other_variants) for t in others
        ]
        variants = []
        for template, how_many in plan:
            product = cat.products.get(template.product)
            category = cat.categories.get(template.category)
            weights = list(template.impact_weights())[: len(self.impact_ids)]
            weights += [1] * (len(self.impact_ids) - len(weights))
            tag_ids = [cat.tags[s].pk for s in template.tags if s in cat.tags]
            for _ in range(how_many):
                values = request_values(rng, demo)
                text = render_request(rng, template, values)
                details = product_details(rng, cat.report_fields(template.product), values)
                env = environment(rng, template.uses, values)
                variants.append(
                    _Variant(
                        **text,
                        body=services.compose_report(**text_without_subject(text)),
                        product_id=product.pk if product else None,
                        category_id=category.pk if category else None,
                        is_bug=template.category == BUG,
                        can_escalate=bool(product and product.github_repository),
                        impact_cum=list(itertools.accumulate(weights)),
                        tag_ids=tag_ids,
                        details_json=json.dumps(details, ensure_ascii=False),
                        env_json=json.dumps(env, ensure_ascii=False),
                    )
                )
        return variants

    def rows(
        self, ids: Sequence[int]
    ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]], list[Any]]:
        """Ticket, message, event and issue-tag rows for the given ticket ids."""
        rng = self.rng
        rand = rng.random
        now = self.now
        agents = self.agents
        impact_ids = self.impact_ids
        tickets, messages, events, tags = [], [], [], []
        for ticket_id in ids:
            bp = self.partners[bisect.bisect(self.partner_cum, rand() * self.partner_cum[-1])]
            requester_id, requester_label = bp.requesters[int(rand() * len(bp.requesters))]
            variant = bp.variants[int(rand() * len(bp.variants))]
            # Volume grows over time: more tickets in recent months than two years ago.
            days_ago = BULK_SPAN_DAYS * (1 - rand() ** 0.75)
            received = working_time(rng, now, days_ago, bp.hub_slug)
            channel = CHANNELS[bisect.bisect(CHANNEL_CUM, rand() * CHANNEL_CUM[-1])]
            status = status_for_age(rng, days_ago)
            age_hours = (now - received).total_seconds() / 3600
            if age_hours < 1:
                status = Status.NEW
            elif status == Status.ESCALATED and not variant.can_escalate:
                status = Status.OPEN
            on_behalf = channel in ON_BEHALF
            agent = agents[int(rand() * len(agents))] if agents else None
            created = received + timedelta(minutes=3 + rand() * 90) if on_behalf else received
            if created > now:
                created = now
            due = first_response_due(received)
            product_id, category_id = variant.product_id, variant.category_id
            details, env = variant.details_json, variant.env_json
            if channel == Channel.EMAIL:
                details = env = "{}"  # an email carries no form fields
            impact_id = responded = resolved = closed = assignee_id = breached = None
            escalation = EscalationStatus.NONE
            updated = created
            if status == Status.NEW or agent is None:
                status = Status.NEW
                if channel == Channel.EMAIL:
                    # Untriaged email: nobody has said yet what it is about.
                    product_id = category_id = None
                breached = due if now > due else None
            else:
                assignee_id = agent[0]
                cum = variant.impact_cum
                impact_id = impact_ids[bisect.bisect(cum, rand() * cum[-1])] if cum else None
                room = max(age_hours - 0.05, 0.05)
                delay = min(response_delay_hours(rng), room * (0.2 + 0.7 * rand()))
                responded = received + timedelta(hours=delay)
                if responded < created:
                    responded = created
                breached = due if responded > due else None
                updated = responded
                left = (now - responded).total_seconds() / 3600
                if status == Status.ESCALATED:
                    escalation = EscalationStatus.ESCALATED
                    updated = responded + timedelta(hours=left * rand())
                elif status in (Status.OPEN, Status.WAITING):
                    if (
                        status == Status.OPEN
                        and variant.can_escalate
                        and variant.is_bug
                        and rand() < 0.1
                    ):
                        escalation = EscalationStatus.L2_RESOLVED
                    updated = responded + timedelta(hours=min(left, 72) * rand())
                else:
                    if variant.can_escalate and variant.is_bug and rand() < 0.15:
                        escalation = EscalationStatus.L2_RESOLVED
                    gap = math.exp(rng.uniform(math.log(0.2), math.log(400)))
                    resolved = responded + timedelta(hours=min(gap, left * rand()))
                    updated = resolved
                    closed = resolved + AUTO_CLOSE_AFTER + timedelta(hours=rand() * 12)
                    if closed <= now:
                        status, updated = Status.CLOSED, closed
                    else:
                        status, closed = Status.RESOLVED, None
                    if variant.tag_ids and rand() < 0.8:
                        tags.append((ticket_id, variant.tag_ids[0]))
                        if len(variant.tag_ids) > 1 and rand() < 0.4:
                            tags.append((ticket_id, variant.tag_ids[1]))
                if status in (Status.OPEN, Status.WAITING, Status.ESCALATED) and variant.tag_ids:
                    tags.append((ticket_id, variant.tag_ids[0]))
            created_by = agent[0] if on_behalf and agent else None
            tickets.append(
                (
                    ticket_id, secrets.token_urlsafe(24), variant.subject, variant.description,
                    variant.what_doing, variant.expected, variant.actual, variant.steps,
                    details, env, channel, requester_id, bp.partner_id, bp.hub_id,
                    product_id, category_id, impact_id, str(status), str(escalation), assignee_id,
                    created_by, received, due, responded, breached, resolved, closed,
                    created, updated,
                )
            )  # fmt: skip
            message_id = (
                f"<{rng.getrandbits(64):016x}@mail.example.net>" if channel == Channel.EMAIL else ""
            )
            messages.append((ticket_id, CUSTOMER, variant.body, requester_id, message_id, created))
            actor_id, label = (
                (agent[0], agent[1]) if created_by and agent else (None, requester_label)
            )
            events.append(
                (ticket_id, actor_id, label, CREATED, "", "", self.channel_labels[channel],
                 created)
            )  # fmt: skip
        return tickets, messages, events, tags


def text_without_subject(text: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in text.items() if k != "subject"}


def bulk_create_tickets(
    *,
    count: int,
    seed: int = DEFAULT_SEED,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Callable[[int, int, float], None] | None = None,
    analyze: bool = True,
) -> BulkReport:
    """Add ``count`` tickets with their first message and "created" event, in batches.

    Rows are generated, not played through the services, and each batch is one
    transaction: an interrupted run keeps whole batches. The same ``seed`` gives
    the same tickets (access tokens apart, which stay random). ``analyze``
    refreshes the planner's statistics at the end (PostgreSQL).
    """
    started = time.perf_counter()
    rng = random.Random(seed)  # noqa: S311 - benchmark content, not secrets
    catalogue = Catalogue.load()
    seed_requesters({demo.name: partner for demo, partner in catalogue.partners})
    generator = _BulkGenerator(rng=rng, catalogue=catalogue, team=Team.load())
    writer = _CopyWriter() if connection.vendor == "postgresql" else _OrmWriter()
    sizes = [min(batch_size, count - start) for start in range(0, count, batch_size)]
    done = 0
    # The next batch is generated in a worker thread while this one is written and
    # committed (the database does most of that work). One worker draws all the
    # random numbers, in batch order, so a seed still gives the same tickets.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(generator.rows, writer.reserve_ids(sizes[0] if sizes else 0))
        for index, size in enumerate(sizes):
            rows = pending.result()
            if index + 1 < len(sizes):
                pending = pool.submit(generator.rows, writer.reserve_ids(sizes[index + 1]))
            with transaction.atomic():
                writer.write(*rows)
            done += size
            if progress:
                progress(done, count, time.perf_counter() - started)
    if analyze:
        writer.analyze()
    return BulkReport(count=count, seconds=time.perf_counter() - started)


def _columns(model: type, names: Sequence[str]) -> str:
    meta = model._meta  # type: ignore[attr-defined]
    return ", ".join(connection.ops.quote_name(meta.get_field(n).column) for n in names)


class _CopyWriter:
    """PostgreSQL: ids from the table's sequence, rows streamed with COPY."""

    def __init__(self) -> None:
        self.through = Ticket.issue_tags.through
        self.sql = {
            "tickets": self._copy_sql(Ticket, TICKET_COLUMNS),
            "messages": self._copy_sql(Message, MESSAGE_COLUMNS),
            "events": self._copy_sql(TicketEvent, EVENT_COLUMNS),
            "tags": self._copy_sql(self.through, TAG_COLUMNS),
        }

    @staticmethod
    def _copy_sql(model: type, names: Sequence[str]) -> str:
        table = connection.ops.quote_name(model._meta.db_table)  # type: ignore[attr-defined]
        return f"COPY {table} ({_columns(model, names)}) FROM STDIN"

    def reserve_ids(self, size: int) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [Ticket._meta.db_table, size],
            )
            return [row[0] for row in cursor.fetchall()]

    def write(self, tickets: list, messages: list, events: list, tags: list) -> None:
        with connection.cursor() as cursor:
            for key, rows in (
                ("tickets", tickets),
                ("messages", messages),
                ("events", events),
                ("tags", tags),
            ):
                if not rows:
                    continue
                with cursor.cursor.copy(self.sql[key]) as copy:
                    for row in rows:
                        copy.write_row(row)

    def analyze(self) -> None:
        # Fresh statistics, so the planner knows the tables grew by a million rows.
        with connection.cursor() as cursor:
            for model in (Ticket, Message, TicketEvent, self.through):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


class _OrmWriter:
    """Other databases (SQLite in development and tests): bulk_create, ids assigned by it."""

    def reserve_ids(self, size: int) -> list[int]:
        # Placeholders: the rows get their real ids from bulk_create below.
        return list(range(-size, 0))

    def write(self, tickets: list, messages: list, events: list, tags: list) -> None:
        objects = []
        for row in tickets:
            values = dict(zip(TICKET_COLUMNS, row, strict=True))
            values.pop("id")
            values["product_details"] = json.loads(values["product_details"])
            values["environment"] = json.loads(values["environment"])
            objects.append(Ticket(**values))
        Ticket.objects.bulk_create(objects, batch_size=500)
        real = {row[0]: obj.pk for row, obj in zip(tickets, objects, strict=True)}
        # bulk_create sets updated_at (auto_now) to now; put back the generated one.
        for row, obj in zip(tickets, objects, strict=True):
            obj.updated_at = row[-1]
        Ticket.objects.bulk_update(objects, ["updated_at"], batch_size=500)
        Message.objects.bulk_create(
            [
                Message(**dict(zip(MESSAGE_COLUMNS, (real[r[0]], *r[1:]), strict=True)))
                for r in messages
            ],
            batch_size=500,
        )
        TicketEvent.objects.bulk_create(
            [
                TicketEvent(**dict(zip(EVENT_COLUMNS, (real[r[0]], *r[1:]), strict=True)))
                for r in events
            ],
            batch_size=500,
        )
        through = Ticket.issue_tags.through
        through.objects.bulk_create(
            [through(ticket_id=real[t], issuetag_id=tag) for t, tag in tags], batch_size=500
        )

    def analyze(self) -> None:
        pass  # SQLite plans well enough without; ANALYZE there would only cost time
