from django.urls import path

from investors.kyc import views
from investors.subscriptions import views as money_views

app_name = "investors"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("kyc/", views.kyc, name="kyc"),
    path("questionnaire/", views.questionnaire, name="questionnaire"),
    path("profile/", views.profile, name="profile"),
    path("subscribe/<int:offering_id>/", money_views.subscribe, name="subscribe"),
    path("subscriptions/", money_views.subscriptions, name="subscriptions"),
    path("subscriptions/<int:pk>/cancel/", money_views.subscription_cancel_view, name="subscription_cancel"),
    path("subscriptions/<int:pk>/reconfirm/", money_views.subscription_reconfirm_view, name="subscription_reconfirm"),
    path("portfolio/", money_views.portfolio, name="portfolio"),
    path("cap-table/<int:offering_id>/", money_views.cap_table, name="cap_table"),
]
