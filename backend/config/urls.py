from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from backend.config.views import healthz

admin.site.site_header = _("Cohortis administration")
admin.site.site_title = _("Cohortis administration")
admin.site.index_title = _("Platform data")

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's init script from its own URL, so script-src stays 'self'.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include("backend.config.api_urls")),
    path("", include("backend.web.urls")),
]

handler404 = "backend.common.api.not_found"
handler500 = "backend.common.api.server_error"
