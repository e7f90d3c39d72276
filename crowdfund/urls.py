from django.contrib import admin
from django.urls import include, path

from projects.views import home

urlpatterns = [
    path("", home, name="home"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(("crowdfund.api_urls", "api"), namespace="api")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("accounts.urls")),
    path("investor/", include("investors.urls")),
    path("notifications/", include("emails.urls")),
    path("", include("projects.urls")),
]
