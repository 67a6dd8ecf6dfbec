from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


class PublicPagination(PageNumberPagination):
    """Page numbers with an optional page_size up to 100. A page past the end, a page or page size that
    is not a positive number, or a page size over the maximum is a 400 with a JSON error, not a 404."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError({"page_size": [_("A whole number from 1 to %(max)d.") % {"max": self.max_page_size}]})
        return int(raw)

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param, "1")
        if not raw.isdigit() or not 1 <= int(raw) <= 1_000_000:
            raise ValidationError({"page": [_("A whole number from 1.")]})
        page_size = self.get_page_size(request)
        paginator = self.django_paginator_class(queryset, page_size)
        if int(raw) > max(paginator.num_pages, 1):
            raise ValidationError({"page": [_("There is no page %(page)s.") % {"page": raw}]})
        self.request = request
        self.page = paginator.page(int(raw))
        if paginator.num_pages > 1 and self.template is not None:
            self.display_page_controls = True
        return list(self.page)

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["required"] = ["count", "results"]
        return response
