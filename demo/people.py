"""Who the demo is about: staff logins, partner organisations and their requesters."""

from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.models import Group, User

from catalog.models import Hub, Partner
from tickets import roles, services
from tickets.models import Requester, StaffProfile

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
# The hub each demo person works for: the desk shows them times in its zone.
DEMO_STAFF_HUBS = {"amina": "east-africa", "joost": "europe", "wanjiru": "east-africa",
                   "maria": "americas"}  # fmt: skip


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
        if created and staff.username in DEMO_STAFF_HUBS:
            hub = Hub.objects.filter(slug=DEMO_STAFF_HUBS[staff.username]).first()
            StaffProfile.objects.get_or_create(user=user, defaults={"hub": hub})
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
