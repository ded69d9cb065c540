from django.urls import path

from . import views

app_name = "jobs"
urlpatterns = [
    path("", views.job_list, name="list"),
    path("<int:pk>/", views.job_detail, name="detail"),
    path("<int:pk>/result", views.job_result, name="result"),
    path("<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("round-portfolio/<int:round_pk>/", views.round_portfolio_start,
         name="round_portfolio_start"),
]
