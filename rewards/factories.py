"""Factories for rewards: learnings, recognitions and nominations.

`NominationFactory(endorsed=True)` sets the state at creation only (the field is
protected); tests of the path itself use the services.
"""

import factory
from django.utils import timezone

from people.factories import UserFactory

from .models import Learning, LearningAuthor, Nomination, Recognition, Tag

_NOW = factory.LazyFunction(timezone.now)


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"tag{n}")


class LearningFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Learning
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Learning {n}")
    what_we_tried = "Queue numbers sent by SMS at the district hospital."
    what_happened = "Fewer people waited in the hall; older patients missed their turn."
    what_we_learned = "Pair SMS calls with a paper ticket for people without phones."
    kind = Learning.Kind.MIXED
    visibility = Learning.Visibility.INTERNAL
    created_by = factory.SubFactory(UserFactory)

    class Params:
        public = factory.Trait(visibility=Learning.Visibility.PUBLIC)
        failure = factory.Trait(kind=Learning.Kind.FAILURE)
        success = factory.Trait(kind=Learning.Kind.SUCCESS)

    @factory.post_generation
    def authors(obj, create, extracted, **kwargs):
        """authors=[user, ...]: each an accepted author (the invitation answered); by default
        the writer alone. `LearningAuthorFactory(invited=True)` for an open invitation."""
        if create:
            for user in extracted or [obj.created_by]:
                LearningAuthorFactory(learning=obj, user=user)

    @factory.post_generation
    def tags(obj, create, extracted, **kwargs):
        """tags=["health", ...]"""
        if create and extracted:
            obj.tags.set([Tag.objects.get_or_create(name=name)[0] for name in extracted])


class LearningAuthorFactory(factory.django.DjangoModelFactory):
    """An accepted author by default; `invited=True` for an open invitation. The state is set
    at creation only (the field is protected); tests of the path itself use the services."""

    class Meta:
        model = LearningAuthor
        django_get_or_create = ("learning", "user")

    learning = factory.SubFactory(LearningFactory)
    user = factory.SubFactory(UserFactory)
    state = LearningAuthor.State.ACCEPTED
    invited_at = _NOW
    accepted_at = _NOW

    class Params:
        invited = factory.Trait(state=LearningAuthor.State.INVITED, accepted_at=None)
        declined = factory.Trait(state=LearningAuthor.State.DECLINED, accepted_at=None)


class RecognitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recognition

    recipient = factory.SubFactory(UserFactory)
    kind = Recognition.Kind.INNOVATION_AWARD
    citation = "For leading the cross-agency queueing experiment and sharing what it taught."
    awarded_by = factory.SubFactory(UserFactory, fund_manager=True)


class NominationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Nomination

    nominee = factory.SubFactory(UserFactory)
    nominated_by = factory.SubFactory(UserFactory)
    justification = "Led two experiments across three agencies and shared every learning."
    state = Nomination.State.NOMINATED

    class Params:
        # A fund manager other than the nominee and the nominator endorsed it.
        endorsed = factory.Trait(
            state=Nomination.State.ENDORSED,
            endorsed_by=factory.SubFactory(UserFactory, fund_manager=True),
        )
        granted = factory.Trait(
            state=Nomination.State.GRANTED,
            endorsed_by=factory.SubFactory(UserFactory, fund_manager=True),
        )
        not_granted = factory.Trait(
            state=Nomination.State.NOT_GRANTED, decision_reason="No vacancy at the next level.",
            endorsed_by=factory.SubFactory(UserFactory, fund_manager=True),
        )
        withdrawn = factory.Trait(state=Nomination.State.WITHDRAWN)
