import factory
from django.contrib.auth.models import Group

from core.models import Organisation, User
from core.roles import Role

PASSWORD = "correct-horse-battery"  # every factory-made user's password


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"org-{n}")
    name = factory.Faker("company", locale="ja_JP")
    kind = Organisation.Kind.CHAMBER
    prefecture_id = "13"


class UserFactory(factory.django.DjangoModelFactory):
    """A user; pass role=Role.X to put them in that role's group."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.jp")
    last_name = factory.Faker("last_name", locale="ja_JP")
    first_name = factory.Faker("first_name", locale="ja_JP")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def role(self, create, extracted: Role | None, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))
