import factory
from django.utils import timezone

from people.factories import UserFactory

from .models import Notification


class NotificationFactory(factory.django.DjangoModelFactory):
    """An unread notification; `read=True` for a read one."""

    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    kind = "proposals.proposal.submit"
    title = factory.Sequence(lambda n: f"Proposal received: Experiment {n}")
    body = "Your proposal was submitted."
    url = ""
    dedupe_key = factory.Sequence(lambda n: f"test:{n}")

    class Params:
        read = factory.Trait(read_at=factory.LazyFunction(timezone.now))
        emailed = factory.Trait(
            email_status=Notification.EmailStatus.SENT,
            emailed_at=factory.LazyFunction(timezone.now),
        )
