from rest_framework import pagination
from rest_framework.exceptions import ValidationError


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request):
        """The default without `page_size`; with it a whole number of at least 1, capped at
        `max_page_size`; anything else answers 400 (DRF would quietly use the default)."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or int(raw) < 1:
            raise ValidationError(
                {"page_size": [f"Enter a whole number from 1 (at most {self.max_page_size})."]}
            )
        return min(int(raw), self.max_page_size)
