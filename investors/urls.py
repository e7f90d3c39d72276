app_name = "investors"
urlpatterns: list = []
