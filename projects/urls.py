from django.urls import path

from projects import views

app_name = "projects"

urlpatterns = [
    path("offerings/", views.offering_list, name="offering_list"),
    path("offerings/<int:pk>/", views.offering_detail, name="offering_detail"),
    path("offerings/<int:pk>/edit/", views.offering_edit, name="offering_edit"),
    path("offerings/<int:pk>/submit/", views.offering_submit, name="offering_submit"),
    path("offerings/<int:pk>/updates/new/", views.offering_update_post, name="offering_update_post"),
    path("offerings/<int:pk>/cancel/", views.offering_cancel, name="offering_cancel"),
    path("offerings/<int:pk>/questions/", views.question_ask, name="question_ask"),
    path("offerings/<int:pk>/documents/", views.document_upload, name="document_upload"),
    path("documents/<int:pk>/", views.document_download, name="document_download"),
    path("questions/<int:pk>/answer/", views.question_answer, name="question_answer"),
    path("commitments/", views.my_commitments, name="my_commitments"),
    path("commitments/<int:pk>/accept/", views.commitment_accept, name="commitment_accept"),
    path("commitments/<int:pk>/decline/", views.commitment_decline, name="commitment_decline"),
    path("companies/", views.issuer_list, name="issuer_list"),
    path("companies/new/", views.issuer_create, name="issuer_create"),
    path("companies/<int:pk>/", views.issuer_detail, name="issuer_detail"),
    path("companies/<int:pk>/guide/", views.issuer_guide, name="issuer_guide"),
    path("companies/<int:pk>/offerings/new/", views.offering_create, name="offering_create"),
]
