from django.urls import path

from . import views

app_name = "fund"
urlpatterns = [
    path("", views.fund_list, name="list"),
    path("new/", views.fund_create, name="create"),
    path("<int:pk>/", views.fund_detail, name="detail"),
    path("<int:pk>/edit/", views.fund_edit, name="edit"),
    path("<int:pk>/contributions/new/", views.contribution_create, name="contribution_create"),
    path("rounds/", views.round_list, name="round_list"),
    path("rounds/new/", views.round_create, name="round_create"),
    path("rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path("rounds/<int:pk>/edit/", views.round_edit, name="round_edit"),
    path(
        "rounds/<int:pk>/transitions/<slug:name>/",
        views.round_transition,
        name="round_transition",
    ),
]
