from django.contrib import admin

from backend.chat.models import Conversation, Message, Participant


class ParticipantInline(admin.TabularInline):
    model = Participant
    fk_name = "conversation"
    extra = 0
    fields = ["user", "kind", "last_read_seq", "invited_by", "created_at"]
    readonly_fields = ["last_read_seq", "created_at"]
    raw_id_fields = ["user", "invited_by"]


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ["id", "match", "enterprise", "startup", "last_seq", "last_message_at"]
    search_fields = ["enterprise__name", "startup__name", "match__challenge__title"]
    readonly_fields = [
        "match",
        "enterprise",
        "startup",
        "last_seq",
        "last_message_at",
        "created_at",
    ]
    inlines = [ParticipantInline]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Messages are evidence of what was said: operators may read them, not rewrite them."""

    list_display = ["conversation", "seq", "sender", "sender_organization", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["body", "sender__email"]
    readonly_fields = [
        "conversation",
        "seq",
        "sender",
        "sender_organization",
        "body",
        "client_msg_id",
        "created_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
