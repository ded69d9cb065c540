"""Factories for rewards: learnings, recognitions and nominations.

`NominationFactory(endorsed=True)` sets the state at creation only (the field is
protected); tests of the path itself use the services.
"""

import factory

from people.factories import UserFactory

from .models import Learning, Nomination, Recognition, Tag


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
        """authors=[user, ...]; by default the writer is the author."""
        if create:
            obj.authors.set(extracted or [obj.created_by])

    @factory.post_generation
    def tags(obj, create, extracted, **kwargs):
        """tags=["health", ...]"""
        if create and extracted:
            obj.tags.set([Tag.objects.get_or_create(name=name)[0] for name in extracted])


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
        endorsed = factory.Trait(state=Nomination.State.ENDORSED)
        granted = factory.Trait(state=Nomination.State.GRANTED)
        not_granted = factory.Trait(
            state=Nomination.State.NOT_GRANTED, decision_reason="No vacancy at the next level."
        )
        withdrawn = factory.Trait(state=Nomination.State.WITHDRAWN)
