"""Pages for awards, tranches, funding decisions and outcome reports, under /awards/."""

from django.urls import path

from . import award_views as views

app_name = "awards"
urlpatterns = [
    path("", views.award_list, name="list"),
    path("<int:pk>/", views.award_detail, name="detail"),
    path("<int:pk>/transitions/<slug:name>/", views.award_transition, name="transition"),
    path("tranches/<int:pk>/transitions/<slug:name>/", views.tranche_transition,
         name="tranche_transition"),
    path("fund/<int:pk>/", views.fund_proposal, name="fund"),
    path("decline/<int:pk>/", views.decline_proposal, name="decline"),
    path("outcome/<int:pk>/", views.outcome, name="outcome"),
    path("close/<int:pk>/", views.close_proposal, name="close"),
    path("funds/<int:pk>/", views.fund_money, name="fund_money"),
]
