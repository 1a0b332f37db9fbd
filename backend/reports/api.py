"""The operator's numbers as JSON and the district report as XLSX; 404 for anyone but an
operator (401 when not signed in, as everywhere)."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.viewsets import ActorMixin
from backend.common.serializers import StrictDateField
from backend.pilots.models import Pilot
from backend.reports.selectors import (
    AGE_BUCKETS,
    FIRST_YEAR,
    LAST_YEAR,
    STAGES,
    Period,
    report_for_actor,
)
from backend.reports.workbook import MEDIA_TYPE, district_workbook

BIGINT_MAX = 2**63 - 1


class PeriodQuerySerializer(serializers.Serializer):
    """`from` and `to`, both days included; by default this year. Each at most once."""

    def get_fields(self):
        # `from` is a Python keyword, so the fields are named here rather than as attributes.
        return {
            "from": StrictDateField(required=False),
            "to": StrictDateField(required=False),
        }

    def validate(self, attrs):
        repeated = [name for name in self.fields if len(self.initial_data.getlist(name)) > 1]
        if repeated:
            raise serializers.ValidationError({name: [_("Give it once.")] for name in repeated})
        # An empty value would read as an absent one (DRF), and so as the default period.
        blank = [name for name in self.fields if self.initial_data.get(name) == ""]
        if blank:
            raise serializers.ValidationError(
                {name: [_("Give a date, or leave it out.")] for name in blank}
            )
        default = Period.this_year()
        start, end = attrs.get("from", default.start), attrs.get("to", default.end)
        for name, day in (("from", start), ("to", end)):
            if not FIRST_YEAR <= day.year <= LAST_YEAR:
                raise serializers.ValidationError(
                    {
                        name: [
                            _("A date from %(first_year)s to %(last_year)s.")
                            % {"first_year": FIRST_YEAR, "last_year": LAST_YEAR}
                        ]
                    }
                )
        if end < start:
            raise serializers.ValidationError(
                {"to": [_("The period cannot end before it starts.")]}
            )
        return {**attrs, "period": Period(start, end)}


class NumbersQuerySerializer(PeriodQuerySerializer):
    def get_fields(self):
        return {
            **super().get_fields(),
            "accelerator": serializers.IntegerField(
                required=False, min_value=1, max_value=BIGINT_MAX
            ),
        }


PERIOD_PARAMETERS = [
    OpenApiParameter("from", OpenApiTypes.DATE, description="First day (default: 1 January)."),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Last day (default: 31 December)."),
]


class CountField(serializers.IntegerField):
    """How many startups a set of organisation ids holds."""

    def to_representation(self, value):
        return len(value)


class PeriodSerializer(serializers.Serializer):
    def get_fields(self):
        return {
            "from": serializers.DateField(source="start"),
            "to": serializers.DateField(source="end"),
        }


class StageSerializer(serializers.Serializer):
    key = serializers.ChoiceField(choices=STAGES)
    count = serializers.IntegerField()
    rate = serializers.FloatField(
        allow_null=True, help_text="Share of the stage before; null for the first or after none."
    )
    median_days = serializers.FloatField(
        allow_null=True, help_text="Median days from the stage before, over those reaching it."
    )


class OutcomeTotalSerializer(serializers.Serializer):
    kind = serializers.CharField()
    currency = serializers.CharField()
    confirmed = serializers.IntegerField()
    confirmed_amount = serializers.DecimalField(max_digits=20, decimal_places=2)
    unconfirmed = serializers.IntegerField()
    unconfirmed_amount = serializers.DecimalField(max_digits=20, decimal_places=2)


class AcceleratorRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class PilotsByStateSerializer(serializers.Serializer):
    def get_fields(self):
        return {state: serializers.IntegerField() for state in Pilot.State.values}

    def to_representation(self, instance):
        return dict(instance)


class NumbersSerializer(serializers.Serializer):
    accelerator = AcceleratorRefSerializer(allow_null=True, help_text="Null for the district.")
    attracted = CountField(help_text="Startups first engaged in the period.")
    gathered = CountField(help_text="Attracted startups registered in the district.")
    grown = CountField(help_text="Startups that gained a credential while engaged.")
    funnel = StageSerializer(many=True)
    pilots_by_state = PilotsByStateSerializer()
    running_by_age = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Running pilots by days since accepted: "
        + ", ".join(label for *_, label in AGE_BUCKETS),
    )
    outcomes = OutcomeTotalSerializer(many=True)


class ReportSerializer(serializers.Serializer):
    period = PeriodSerializer()
    district_name = serializers.CharField()
    district = NumbersSerializer()
    accelerators = NumbersSerializer(many=True)


class AlwaysJson(BaseContentNegotiation):
    """Errors answer JSON whatever the `Accept` header asks; the XLSX leaves as it is."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class NumbersView(ActorMixin, APIView):
    """The operator's numbers for a period: the district's, and each accelerator's (only the
    one named by `accelerator`). See the README for what each number counts."""

    @extend_schema(
        parameters=[
            *PERIOD_PARAMETERS,
            OpenApiParameter("accelerator", OpenApiTypes.INT, description="Only this one."),
        ],
        responses={200: ReportSerializer},
    )
    def get(self, request):
        query = NumbersQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        report = report_for_actor(
            self.actor,
            query.validated_data["period"],
            accelerator_id=query.validated_data.get("accelerator"),
        )
        return Response(ReportSerializer(report).data)


class DistrictReportView(ActorMixin, APIView):
    """The district report for a period (a year or a quarter) as an XLSX workbook: totals, one
    sheet per accelerator with its startups, the match and outcome records, and the checks
    (missing credit codes, unconfirmed outcomes, unverified credentials, amounts not in CNY).
    Amounts in 千元."""

    content_negotiation_class = AlwaysJson

    @extend_schema(
        operation_id="reports_district_xlsx",
        parameters=PERIOD_PARAMETERS,
        responses={(200, MEDIA_TYPE): OpenApiTypes.BINARY},
    )
    def get(self, request):
        query = PeriodQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        period = query.validated_data["period"]
        content = district_workbook(report_for_actor(self.actor, period))
        response = HttpResponse(content, content_type=MEDIA_TYPE)
        name = f"district-report-{period.start:%Y%m%d}-{period.end:%Y%m%d}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
