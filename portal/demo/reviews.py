"""Demo data for reviews, for `manage.py seed_demo`: assignments from the plan, submitted
reviews and panel decisions, all through the services (so the history is real).
Running it again creates nothing new."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from proposals.models import Proposal
from reviews import services
from reviews.models import Assignment, Panel, Review

COMMENTS = [
    ("Clear hypothesis and a fair comparison. Say how you will keep the control group "
     "informed.", "Strong team across agencies; I would fund it."),
    ("The citizen co-design is convincing. The budget for equipment looks high for a pilot.",
     "Could be done for less; still worth testing."),
    ("Define the success measure before you start and publish it.",
     "Good idea, weak evaluation plan."),
]


@transaction.atomic
def seed_review_demo(*, panel: Panel, leave_undecided: int = 1) -> dict[str, int]:
    """Assign the panel's round's proposals in review by the plan, have each reviewer submit
    a review, and let the chair decide all but the last `leave_undecided` proposals."""
    made = reviewed = decided = 0
    plan = services.assignment_plan(panel=panel, actor=panel.chair)
    if plan.pairs and not plan.panel_problem:
        made = len(services.assignment_plan_accept(
            actor=panel.chair, panel=panel, pairs=plan.pairs,
            due_on=timezone.localdate() + timedelta(days=14),
        ))
    criteria = list(panel.round.criteria.all())
    open_assignments = (Assignment.objects.filter(panel=panel, state=Assignment.State.ASSIGNED,
                                                  proposal__state=Proposal.State.IN_REVIEW)
                        .select_related("reviewer", "proposal").order_by("pk"))
    for assignment in open_assignments:
        seed = assignment.proposal_id + assignment.reviewer_id
        scores = [{"criterion": c.pk, "value": 2 + (seed + i) % min(4, c.max_score)}
                  for i, c in enumerate(criteria)]
        to_applicant, to_panel = COMMENTS[seed % len(COMMENTS)]
        services.assignment_submit_review(
            assignment=assignment, actor=assignment.reviewer, note="Demo review.",
            review={"scores": scores, "comment_to_applicant": to_applicant,
                    "comment_to_panel": to_panel,
                    "recommendation": Review.Recommendation.FUND if seed % 3
                    else Review.Recommendation.REVISE},
        )
        reviewed += 1
    waiting = list(Proposal.objects.filter(round=panel.round, state=Proposal.State.IN_REVIEW)
                   .order_by("pk"))
    for proposal in waiting[:max(0, len(waiting) - leave_undecided)]:
        submitted = Review.objects.filter(assignment__proposal=proposal,
                                          assignment__state=Assignment.State.SUBMITTED)
        if submitted.count() < panel.round.reviews_required:
            continue
        scores = [r.weighted_score for r in submitted]
        mean = sum(scores) / len(scores)
        decide = services.proposal_recommend if mean >= 60 else services.proposal_reject
        decide(proposal=proposal, actor=panel.chair,
               rationale=f"Mean weighted score {mean:.1f}; the panel discussed the reviews.")
        decided += 1
    return {"assignments": made, "reviews": reviewed, "decisions": decided}
