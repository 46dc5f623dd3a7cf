from django.urls import path

from support_menus import views

app_name = "support_menus"

urlpatterns = [
    path("menus/", views.MenuListView.as_view(), name="menu-list"),
    path("cases/<int:pk>/proposals/", views.CaseProposeView.as_view(), name="case-propose"),
    path(
        "cases/<int:pk>/proposals/<int:proposal_pk>/status/",
        views.ProposalStatusView.as_view(),
        name="proposal-status",
    ),
]
