from django.urls import path

from emails import views

app_name = "emails"

urlpatterns = [
    path("", views.notifications, name="notifications"),
]
