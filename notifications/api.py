"""The notifications part of the JSON API: the requesting user's own notifications only."""

from django.urls import path
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response

from . import selectors, services
from .models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    unread = serializers.BooleanField(read_only=True)
    subject_type = serializers.SerializerMethodField(
        help_text="What the notification is about, as app_label.model (e.g. proposals.proposal)."
    )
    subject_id = serializers.IntegerField(source="object_id", read_only=True, allow_null=True)
    done_at = serializers.DateTimeField(
        read_only=True, allow_null=True,
        help_text="When what the notification asked (to endorse, to review…) was done or "
                  "became impossible; it is read from then on. Null for news and open tasks.",
    )

    class Meta:
        model = Notification
        fields = [
            "id", "kind", "title", "body", "url", "subject_type", "subject_id", "created_at",
            "read_at", "unread", "done_at",
        ]
        read_only_fields = fields

    def get_subject_type(self, obj) -> str | None:
        if obj.content_type_id is None:
            return None
        from django.contrib.contenttypes.models import ContentType

        ct = ContentType.objects.get_for_id(obj.content_type_id)  # cached: no query per row
        return f"{ct.app_label}.{ct.model}"


class NotificationFilter(filters.FilterSet):
    unread = filters.BooleanFilter(method="filter_unread", label="Only unread (true) or read (false)")
    kind = filters.CharFilter()

    class Meta:
        model = Notification
        fields = ["unread", "kind"]

    def filter_unread(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(read_at__isnull=value)


class NotificationList(generics.ListAPIView):
    """The requesting user's notifications, newest first; `?unread=true` for the unread ones."""

    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter
    # ?cursor= keyset paging (api_common/pagination.py), on the notification_inbox index.
    cursor_ordering = ("-created_at", "-id")

    def get_queryset(self):
        return selectors.notifications_for(user=self.request.user)


class NotificationDetail(generics.RetrieveAPIView):
    """One of the requesting user's notifications (anyone else's is a 404)."""

    serializer_class = NotificationSerializer

    def get_queryset(self):
        return selectors.notifications_for(user=self.request.user)


class NotificationRead(generics.GenericAPIView):
    """Mark one of the requesting user's notifications as read; answers the notification."""

    serializer_class = NotificationSerializer

    def get_queryset(self):
        return selectors.notifications_for(user=self.request.user)

    @extend_schema(request=None, responses=NotificationSerializer)
    def post(self, request, pk: int):
        notification = self.get_object()
        services.notification_mark_read(notification=notification, actor=request.user)
        return Response(self.get_serializer(notification).data)


urlpatterns = [
    path("notifications/", NotificationList.as_view(), name="notification-list"),
    path("notifications/<int:pk>/", NotificationDetail.as_view(), name="notification-detail"),
    path("notifications/<int:pk>/read/", NotificationRead.as_view(), name="notification-read"),
]
