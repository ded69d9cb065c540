"""Factories for reviews: panels, assignments and reviews.

`PanelFactory()` has a chair and three members from three agencies.
`AssignmentFactory()` assigns a new panel member to a proposal in review;
`AssignmentFactory(submitted=True, score=4)` also writes the review (every criterion
scored `score`) and marks the assignment submitted; `scores={criterion_id: value}`
sets individual values.
"""

from datetime import timedelta

import factory
from django.utils import timezone

from fund.factories import RoundFactory
from people.factories import UserFactory
from proposals.factories import ProposalFactory

from .models import Assignment, Panel, Review, Score
from .scoring import weighted_score


class PanelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Panel
        skip_postgeneration_save = True

    round = factory.SubFactory(RoundFactory)
    name = factory.Sequence(lambda n: f"Panel {n}")
    chair = factory.SubFactory(UserFactory)

    @factory.post_generation
    def members(obj, create, extracted, **kwargs):
        """members=[user, ...]; by default three reviewers from three new agencies."""
        if not create:
            return
        if extracted is None:
            extracted = UserFactory.create_batch(3)
        obj.members.set(extracted)


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment
        skip_postgeneration_save = True

    proposal = factory.SubFactory(ProposalFactory, in_review=True)
    panel = factory.SubFactory(PanelFactory, round=factory.SelfAttribute("..proposal.round"))
    reviewer = factory.SubFactory(UserFactory)
    due_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=14))
    state = Assignment.State.ASSIGNED

    class Params:
        submitted = factory.Trait(state=Assignment.State.SUBMITTED)
        conflict = factory.Trait(state=Assignment.State.CONFLICT, conflict_reason="Related.")

    @factory.post_generation
    def join_panel(obj, create, extracted, **kwargs):
        if create:
            obj.panel.members.add(obj.reviewer)

    @factory.post_generation
    def review(obj, create, extracted, **kwargs):
        """A submitted assignment gets its review; review=True writes a draft on any."""
        if not create or not (extracted or obj.state == Assignment.State.SUBMITTED):
            return
        make_review(obj, score=obj._score, scores=obj._scores)

    @classmethod
    def _create(cls, model_class, *args, score=4, scores=None, **kwargs):
        obj = super()._create(model_class, *args, **kwargs)
        obj._score, obj._scores = score, scores
        return obj


def make_review(assignment: Assignment, *, score: int = 4, scores: dict | None = None,
                recommendation: str = Review.Recommendation.FUND) -> Review:
    """A review scoring every criterion of the round (`scores` by criterion id, else `score`)."""
    criteria = list(assignment.proposal.round.criteria.all())
    values = [(c, (scores or {}).get(c.pk, score)) for c in criteria]
    review = Review.objects.create(
        assignment=assignment, recommendation=recommendation,
        comment_to_applicant="Clear hypothesis; measure waiting times directly.",
        comment_to_panel="Team is strong; budget for SMS looks high.",
        weighted_score=weighted_score(values),
        submitted_at=timezone.now() if assignment.state == Assignment.State.SUBMITTED else None,
    )
    Score.objects.bulk_create(Score(review=review, criterion=c, value=v) for c, v in values)
    return review
