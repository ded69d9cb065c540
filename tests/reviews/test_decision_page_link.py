"""The chair's decision page leads back to the proposal with link text that reads well."""

from django.urls import reverse


def test_the_link_back_names_the_proposal_in_quotes(client, scene):
    client.force_login(scene.chair)
    page = client.get(reverse("reviews:proposal", args=[scene.proposal.pk])).content.decode()
    assert f"Open the proposal “{scene.proposal.title}”</a>" in page
    assert "Open the proposal page<" not in page
