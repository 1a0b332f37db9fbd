from django.utils.translation import gettext_lazy as _
from rest_framework import pagination
from rest_framework.exceptions import ValidationError

MAX_DIGITS = 18


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request):
        """The default without `page_size`; with it a whole number of at least 1, capped at
        `max_page_size`."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        return min(self._whole_number(self.page_size_query_param, raw), self.max_page_size)

    def get_page_number(self, request, paginator):
        """`page` is a whole number of at least 1 (or `last`); past the last page answers 404."""
        raw = request.query_params.get(self.page_query_param)
        if raw is None or raw in self.last_page_strings:
            return super().get_page_number(request, paginator)
        return self._whole_number(self.page_query_param, raw)

    def _whole_number(self, name: str, raw: str) -> int:
        """A positive whole number; anything else (empty, decimal, negative, text) answers 400,
        where DRF would quietly use the default."""
        # ASCII digits only: int() also reads "²" and other digits.
        if not (raw.isascii() and raw.isdigit()) or not raw.strip("0"):
            if name == self.page_size_query_param:
                problem = _("Enter a whole number from 1 to %(most)s.") % {
                    "most": self.max_page_size
                }
            else:
                problem = _("Enter a whole number from 1.")
            raise ValidationError({name: [problem]})
        # Past any page or size there is (int() refuses strings of thousands of digits).
        return int(raw) if len(raw) <= MAX_DIGITS else 10**MAX_DIGITS

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] += f" At most {self.max_page_size}; more is capped."
        return parameters
