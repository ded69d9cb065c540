"""Co-authors of learnings by consent (DOMAIN.md, "Consent"): the writer invites, the invited
person answers, a co-author may leave, the writer removes; only accepted authors are shown,
count on records and may edit. The old `authors` rows become accepted co-authors."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from people.factories import UserFactory
from rewards import selectors, services
from rewards.factories import LearningAuthorFactory, LearningFactory
from rewards.models import Learning, LearningAuthor
from workflow.services import TransitionStateConflict, available_transitions, history

pytestmark = pytest.mark.django_db

S = LearningAuthor.State
TEXT = {"what_we_tried": "Tried it.", "what_happened": "It happened.",
        "what_we_learned": "We learned.", "kind": "failure"}


def _row(learning, user) -> LearningAuthor:
    return LearningAuthor.objects.get(learning=learning, user=user)


def _learning(pk) -> Learning:
    return selectors.with_learning_details(Learning.objects.all()).get(pk=pk)


def test_co_authors_named_on_a_new_learning_are_invited_not_named():
    writer, colleague = UserFactory(), UserFactory()
    learning = services.learning_create(actor=writer, title="Queues", authors=[colleague.pk],
                                        **TEXT)
    assert _learning(learning.pk).authors == [writer]
    assert _row(learning, writer).state == S.ACCEPTED
    row = _row(learning, colleague)
    assert row.state == S.INVITED and row.accepted_at is None
    assert [log.transition for log in history(row)] == ["invite"]
    record = selectors.innovation_record(person=colleague)
    assert record.learnings == []
    assert not selectors.filter_learnings(Learning.objects.all(), {"author": colleague.pk})


def test_accepting_puts_the_learning_on_the_record_and_gives_the_right_to_edit():
    writer, colleague = UserFactory(), UserFactory()
    learning = services.learning_create(actor=writer, title="Queues", authors=[colleague],
                                        **TEXT)
    row = _row(learning, colleague)
    with pytest.raises(PermissionDenied):
        services.learning_update(actor=colleague, learning=_learning(learning.pk), title="Mine")
    services.learning_author_accept(actor=colleague, author=row)
    assert _row(learning, colleague).accepted_at is not None
    assert _learning(learning.pk).authors == [writer, colleague]
    assert [lr.pk for lr in selectors.innovation_record(person=colleague).learnings] == [
        learning.pk]
    services.learning_update(actor=colleague, learning=_learning(learning.pk), title="Ours")
    assert Learning.objects.get(pk=learning.pk).title == "Ours"


@pytest.mark.parametrize("name", ["accept", "decline"])
def test_nobody_answers_for_the_invited_person(name):
    learning = LearningFactory()
    row = LearningAuthorFactory(learning=learning, invited=True)
    service = services.LEARNING_AUTHOR_TRANSITIONS[name]
    for actor in (learning.created_by, UserFactory(), UserFactory(hr_officer=True)):
        with pytest.raises(PermissionDenied):
            service(actor=actor, author=row)
    assert _row(learning, row.user).state == S.INVITED


def test_decline_then_invited_again_on_the_same_row():
    learning = LearningFactory()
    colleague = UserFactory()
    row = services.learning_author_invite(actor=learning.created_by, learning=learning,
                                          user=colleague)
    services.learning_author_decline(actor=colleague, author=row)
    assert _row(learning, colleague).state == S.DECLINED
    with pytest.raises(TransitionStateConflict):
        services.learning_author_accept(actor=colleague, author=row)
    again = services.learning_author_invite(actor=learning.created_by, learning=learning,
                                            user=colleague)
    assert again.pk == row.pk and _row(learning, colleague).state == S.INVITED


def test_only_the_writer_invites_and_removes():
    learning = LearningFactory()
    co_author = LearningAuthorFactory(learning=learning)
    invited = LearningAuthorFactory(learning=learning, invited=True)
    for actor in (co_author.user, invited.user, UserFactory(), UserFactory(fund_manager=True)):
        with pytest.raises(PermissionDenied):
            services.learning_author_invite(actor=actor, learning=learning, user=UserFactory())
        with pytest.raises(PermissionDenied):
            services.learning_author_remove(actor=actor, author=invited)
    with pytest.raises(ValidationError):
        services.learning_author_invite(actor=learning.created_by, learning=learning,
                                        user=learning.created_by)
    services.learning_author_remove(actor=learning.created_by, author=co_author)
    assert _row(learning, co_author.user).state == S.REMOVED
    assert _learning(learning.pk).authors == [learning.created_by]
    assert learning.author_rows.count() == 3  # rows are never deleted


def test_a_co_author_leaves_but_the_writer_stays():
    learning = LearningFactory()
    co_author = LearningAuthorFactory(learning=learning)
    writer_row = _row(learning, learning.created_by)
    assert "leave" not in available_transitions(writer_row, learning.created_by)
    with pytest.raises(PermissionDenied):
        services.learning_author_leave(actor=learning.created_by, author=writer_row)
    services.learning_author_leave(actor=co_author.user, author=co_author)
    assert _row(learning, co_author.user).state == S.LEFT
    assert selectors.innovation_record(person=co_author.user).learnings == []


def test_a_co_author_may_not_change_who_is_named():
    learning = LearningFactory()
    co_author = LearningAuthorFactory(learning=learning)
    stranger = UserFactory()
    with pytest.raises(PermissionDenied):
        services.learning_update(actor=co_author.user, learning=_learning(learning.pk),
                                 authors=[co_author.user.pk, stranger.pk])
    assert not LearningAuthor.objects.filter(user=stranger).exists()
    # The same co-authors sent back are fine.
    services.learning_update(actor=co_author.user, learning=_learning(learning.pk),
                             authors=[co_author.user.pk], title="Sent back")
    assert Learning.objects.get(pk=learning.pk).title == "Sent back"


def test_the_writers_list_is_compared_with_the_co_authors_as_they_stand():
    learning = LearningFactory()
    kept = LearningAuthorFactory(learning=learning)
    dropped = LearningAuthorFactory(learning=learning, invited=True)
    newcomer = UserFactory()
    services.learning_update(actor=learning.created_by, learning=_learning(learning.pk),
                             authors=[kept.user.pk, newcomer.pk])
    assert _row(learning, kept.user).state == S.ACCEPTED
    assert _row(learning, dropped.user).state == S.REMOVED
    assert _row(learning, newcomer).state == S.INVITED


def test_an_invitee_does_not_count_in_the_hr_list():
    learning = LearningFactory()
    invited = LearningAuthorFactory(learning=learning, invited=True).user
    accepted = LearningAuthorFactory(learning=learning).user
    hr = UserFactory(hr_officer=True)
    counts = {p.pk: p.learning_count
              for p in selectors.people_with_record_summary(viewer=hr)}
    assert counts[invited.pk] == 0 and counts[accepted.pk] == 1


def test_the_page_shows_invitations_only_to_the_writer_and_the_invitee(client):
    learning = LearningFactory(title="Queues and phones")
    invited = LearningAuthorFactory(learning=learning, invited=True)
    url = f"/learnings/{learning.pk}/"
    client.force_login(invited.user)
    page = client.get(url).content.decode()
    assert f"/learnings/{learning.pk}/authors/{invited.pk}/transitions/accept/" in page
    assert str(invited.user) not in page.split("<dt>Authors</dt>")[1].split("</dd>")[0]
    client.force_login(UserFactory())
    page = client.get(url).content.decode()
    assert "/transitions/" not in page and str(invited.user) not in page
    client.force_login(learning.created_by)
    page = client.get(url).content.decode()
    assert f"/learnings/{learning.pk}/authors/{invited.pk}/transitions/remove/" in page


def test_the_page_accepts_an_invitation(client):
    learning = LearningFactory()
    invited = LearningAuthorFactory(learning=learning, invited=True)
    client.force_login(invited.user)
    response = client.post(
        f"/learnings/{learning.pk}/authors/{invited.pk}/transitions/accept/", {"next": "/"})
    assert response.status_code == 302 and response.url == "/"
    assert _row(learning, invited.user).state == S.ACCEPTED


def test_the_page_form_invites_co_authors(client):
    writer, colleague = UserFactory(), UserFactory(username="dorji")
    client.force_login(writer)
    response = client.post("/learnings/new/", {
        "title": "T", "kind": "failure", "visibility": "internal", "co_authors": "DORJI",
        "what_we_tried": "a", "what_happened": "b", "what_we_learned": "c",
    })
    assert response.status_code == 302
    learning = Learning.objects.get()
    assert _row(learning, colleague).state == S.INVITED
    assert _learning(learning.pk).authors == [writer]


# --- the old authors become accepted co-authors (data kept) -------------------------------------
@pytest.mark.django_db(transaction=True)
def test_the_migration_turns_authors_into_accepted_co_authors():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    before = [("rewards", "0001_initial")]
    after = executor.loader.graph.leaf_nodes()
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        User = old.get_model("people", "User")
        Learning = old.get_model("rewards", "Learning")
        writer = User.objects.create(username="writer")
        colleague = User.objects.create(username="colleague")
        learning = Learning.objects.create(
            title="Old", what_we_tried="a", what_happened="b", what_we_learned="c",
            kind="mixed", created_by=writer,
        )
        learning.authors.set([writer, colleague])
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        rows = LearningAuthor.objects.filter(learning_id=learning.pk).order_by("user__username")
        assert [(r.user.username, r.state) for r in rows] == [
            ("colleague", "accepted"), ("writer", "accepted")]
        assert all(r.accepted_at is not None for r in rows)
    finally:
        MigrationExecutor(connection).migrate(after)
