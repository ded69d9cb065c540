"""Figures computed in the background (analytics/stored.py): the last answer of each figure
without filters, served with the time it was computed ("as of")."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StoredFigure(models.Model):
    """One figure as `analytics.stored.refresh_stored_figures` last computed it: without
    filters, for the fund managers (`public` false), for the public page (`public` true), or,
    for the Reviewing figure, which leaves out what one viewer may not see, for that viewer
    (`viewer`, with the `fingerprint` of what they could see when it was computed: it is served
    to them only while their fingerprint is still the same, jobs/viewer.py). Its words are in
    `language` (one of settings.LANGUAGES): the figures for everyone are kept in each language,
    a viewer's Reviewing figure in the language they chose."""

    key = models.CharField(max_length=40)
    public = models.BooleanField(default=False)
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    fingerprint = models.CharField(max_length=64, blank=True)
    language = models.CharField(max_length=10, default="")
    version = models.PositiveIntegerField(default=0)
    figure = models.BinaryField()
    computed_at = models.DateTimeField()
    seconds = models.FloatField(default=0, help_text=_("How long the figure took to compute."))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["key", "public", "language"],
                condition=models.Q(viewer=None),
                name="analytics_stored_figure_one_for_all_in_each_language",
            ),
            models.UniqueConstraint(
                fields=["key", "viewer"],
                condition=models.Q(viewer__isnull=False),
                name="analytics_stored_figure_one_per_viewer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({'public' if self.public else self.viewer_id or 'fund managers'})"
