from django.urls import path

from . import chair_views, views

app_name = "reviews"
urlpatterns = [
    path("", views.my_assignments, name="my_assignments"),
    path("assignments/<int:pk>/", views.assignment_detail, name="assignment"),
    path("assignments/<int:pk>/conflict/", views.declare_conflict, name="declare_conflict"),
    path("panels/", views.panel_list, name="panel_list"),
    path("panels/<int:pk>/", views.panel_detail, name="panel"),
    path("panels/<int:pk>/plan/", views.panel_plan, name="plan"),
    path("panels/<int:pk>/edit/", chair_views.panel_edit, name="panel_edit"),
    path("panels/<int:pk>/stand-ins/<int:proposal_pk>/", chair_views.stand_in_new,
         name="stand_in_new"),
    path("rounds/<int:round_pk>/panels/new/", views.panel_create, name="panel_create"),
    path("rounds/<int:pk>/ranking/", views.round_ranking, name="ranking"),
    path("proposals/<int:pk>/", views.proposal_reviews, name="proposal"),
]
