"""A round's rubric pages, under the round: /funds/rounds/<round_pk>/rubric/."""

from django.urls import path

from . import rubric_views

app_name = "rubric"
urlpatterns = [
    path("", rubric_views.rubric, name="rubric"),
    path("<int:pk>/edit/", rubric_views.criterion_edit, name="criterion_edit"),
    path("<int:pk>/delete/", rubric_views.criterion_delete, name="criterion_delete"),
]
