from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Reviews")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        self._watch_conflict_inputs()
        self._give_new_rounds_a_rubric()
        self._keep_proposal_scores()
        self._keep_acting_chairs()

    @staticmethod
    def _keep_acting_chairs():
        """The stored acting chair (ProposalActingChair) follows every write of what the rule
        reads (reviews/services/acting_chairs.py)."""
        from django.contrib.auth.models import Group
        from django.db.models.signals import (
            m2m_changed,
            post_delete,
            post_init,
            post_save,
            pre_delete,
        )

        from people.models import User
        from people.signals import agency_changed
        from proposals.conflicts import parties_changed
        from proposals.models import Proposal, TeamMember

        from .models import Assignment, Panel, PanelStandIn
        from .services import acting_chairs as keep

        for model, saved, deleted in (
            (Proposal, keep.on_proposal_saved, None),
            (Panel, keep.on_panel_saved, keep.on_panel_deleted),
            (PanelStandIn, keep.on_stand_in_saved, keep.on_stand_in_deleted),
            (Assignment, keep.on_assignment_saved, keep.on_assignment_deleted),
            (TeamMember, keep.on_team_member_saved, keep.on_team_member_deleted),
            (User, keep.on_user_saved, None),
        ):
            name = model.__name__
            post_init.connect(keep.remember_inputs, sender=model,
                              dispatch_uid=f"reviews.acting_chairs.remember_{name}")
            post_save.connect(saved, sender=model, dispatch_uid=f"reviews.acting_chairs.{name}")
            if deleted is not None:
                post_delete.connect(deleted, sender=model,
                                    dispatch_uid=f"reviews.acting_chairs.{name}_deleted")
        m2m_changed.connect(keep.on_partners_changed, sender=Proposal.partner_agencies.through,
                            dispatch_uid="reviews.acting_chairs.partners")
        m2m_changed.connect(keep.on_groups_changed, sender=User.groups.through,
                            dispatch_uid="reviews.acting_chairs.groups")
        post_init.connect(keep.remember_group_name, sender=Group,
                          dispatch_uid="reviews.acting_chairs.remember_group")
        post_save.connect(keep.on_group_saved, sender=Group,
                          dispatch_uid="reviews.acting_chairs.group")
        pre_delete.connect(keep.on_group_deleting, sender=Group,
                           dispatch_uid="reviews.acting_chairs.group_deleting")
        post_delete.connect(keep.on_group_deleted, sender=Group,
                            dispatch_uid="reviews.acting_chairs.group_deleted")
        agency_changed.connect(keep.on_agency_changed, dispatch_uid="reviews.acting_chairs.agency")
        parties_changed.connect(keep.on_parties_changed,
                                dispatch_uid="reviews.acting_chairs.parties")

    @staticmethod
    def _keep_proposal_scores():
        """The stored scores the ranking reads (ProposalScore) follow every write of what they
        are made of (reviews/services/scores.py)."""
        from django.db.models.signals import post_delete, post_init, post_save

        from proposals.models import Proposal

        from .models import Assignment, Review
        from .services import scores

        post_init.connect(scores.remember_state, sender=Assignment,
                          dispatch_uid="reviews.scores.remember_state")
        post_init.connect(scores.remember_state, sender=Proposal,
                          dispatch_uid="reviews.scores.remember_proposal_state")
        post_save.connect(scores.on_proposal_saved, sender=Proposal,
                          dispatch_uid="reviews.scores.proposal_saved")
        post_save.connect(scores.on_assignment_saved, sender=Assignment,
                          dispatch_uid="reviews.scores.assignment_saved")
        post_delete.connect(scores.on_assignment_deleted, sender=Assignment,
                            dispatch_uid="reviews.scores.assignment_deleted")
        post_save.connect(scores.on_review_saved, sender=Review,
                          dispatch_uid="reviews.scores.review_saved")
        post_delete.connect(scores.on_review_deleted, sender=Review,
                            dispatch_uid="reviews.scores.review_deleted")

    @staticmethod
    def _give_new_rounds_a_rubric():
        """A new round starts with the default rubric: fund announces the round
        (fund/signals.py), reviews gives it its criteria (reviews/services/rubric.py)."""
        from fund.signals import round_created

        from .services.rubric import on_round_created

        round_created.connect(on_round_created, dispatch_uid="reviews.default_rubric")

    @staticmethod
    def _watch_conflict_inputs():
        """Conflicts of interest are recomputed whenever their inputs change
        (reviews/living_conflicts.py)."""
        from django.db.models.signals import m2m_changed, post_init, post_save

        from people.models import User
        from people.signals import agency_changed
        from proposals.conflicts import parties_changed
        from proposals.models import Proposal, TeamMember

        from . import living_conflicts as watch

        def remember_agency(sender, instance, **kwargs):
            instance._loaded_agency_id = instance.__dict__.get("agency_id")

        post_init.connect(remember_agency, sender=User, weak=False,
                          dispatch_uid="reviews.remember_agency")
        post_save.connect(watch.on_user_saved, sender=User, dispatch_uid="reviews.user_agency")
        agency_changed.connect(watch.on_agency_changed, dispatch_uid="reviews.agency_changed")
        parties_changed.connect(watch.on_parties_changed, dispatch_uid="reviews.parties")
        m2m_changed.connect(watch.on_partner_agencies_changed,
                            sender=Proposal.partner_agencies.through,
                            dispatch_uid="reviews.partners")
        post_save.connect(watch.on_team_member_saved, sender=TeamMember,
                          dispatch_uid="reviews.team")
        post_save.connect(watch.on_proposal_saved, sender=Proposal,
                          dispatch_uid="reviews.proposal")
