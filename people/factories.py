import factory
from django.contrib.auth.models import Group

from .models import FUND_MANAGERS, HR_OFFICERS, Agency, User

PASSWORD = "demo-pass-2026"


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"AG{n:03d}")
    name = factory.Sequence(lambda n: f"Agency {n}")
    kind = Agency.Kind.AGENCY


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.gov.bt")
    agency = factory.SubFactory(AgencyFactory)
    position_title = "Programme Officer"
    position_level = "P3"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    class Params:
        fund_manager = factory.Trait(position_title="Fund Manager")
        hr_officer = factory.Trait(position_title="HR Officer")

    @factory.post_generation
    def roles(obj, create, extracted, **kwargs):
        names = list(extracted or [])
        if obj.position_title == "Fund Manager":
            names.append(FUND_MANAGERS)
        if obj.position_title == "HR Officer":
            names.append(HR_OFFICERS)
        if create:
            for name in names:
                obj.groups.add(Group.objects.get_or_create(name=name)[0])
            obj.save()
        obj.__dict__.pop("_group_names", None)
