"""Factories for database rows; the default taxonomy comes from the data migration."""

from __future__ import annotations

import factory
from django.contrib.auth.models import Group, User

from catalog.models import Category, Hub, Impact, IssueTag, Partner, Product
from tickets import roles
from tickets.models import Channel, Message, MessageKind, Requester, Ticket


def hub(slug: str = "east-africa") -> Hub:
    return Hub.objects.get(slug=slug)


def product(slug: str = "akvo-flow") -> Product:
    return Product.objects.get(slug=slug)


def category(slug: str = "bug") -> Category:
    return Category.objects.get(slug=slug)


def impact(slug: str = "minor") -> Impact:
    return Impact.objects.get(slug=slug)


def issue_tag(slug: str = "data-export") -> IssueTag:
    return IssueTag.objects.get(slug=slug)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"agent{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@support.example.org")
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))
        if create:
            self.save()


def l1_agent(**kwargs) -> User:
    return UserFactory(role=roles.L1_AGENT, **kwargs)


def l2_engineer(**kwargs) -> User:
    return UserFactory(role=roles.L2_ENGINEER, **kwargs)


def support_manager(**kwargs) -> User:
    return UserFactory(role=roles.SUPPORT_MANAGER, **kwargs)


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Partner organisation {n}")
    hub = factory.LazyFunction(hub)


class RequesterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Requester

    email = factory.Sequence(lambda n: f"requester{n}@partner.example.org")
    name = factory.Faker("name")
    partner = factory.SubFactory(PartnerFactory)


class TicketFactory(factory.django.DjangoModelFactory):
    """A ticket row without the service's side effects; use services.ticket_create for those."""

    class Meta:
        model = Ticket

    subject = factory.Sequence(lambda n: f"Data export fails for survey {n}")
    channel = Channel.WEB
    requester = factory.SubFactory(RequesterFactory)
    partner = factory.SelfAttribute("requester.partner")
    hub = factory.LazyAttribute(lambda t: t.partner.hub if t.partner else None)
    product = factory.LazyFunction(product)
    category = factory.LazyFunction(category)


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    ticket = factory.SubFactory(TicketFactory)
    kind = MessageKind.CUSTOMER
    body = "The export button spins forever."
    author_requester = factory.SelfAttribute("ticket.requester")
