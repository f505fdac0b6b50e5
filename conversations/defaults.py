"""What Twilio makes by itself in a Conversation Service: its four default roles, the service
Configuration naming them, and the User behind a chat participant.

Every service made through the API (and each account's default service) gets ``channel admin`` and ``channel user`` (type ``conversation``) and
``service admin`` and ``service user`` (type ``service``) when it is made; its Configuration's
``default_conversation_creator_role_sid`` names ``channel admin``,
``default_conversation_role_sid`` ``channel user`` and ``default_chat_service_role_sid``
``service user``. A new User without RoleSid gets the service role; a new participant without
RoleSid the conversation role; a chat participant whose identity has no User yet gets one.

The permission lists are Twilio's default roles' as read on a fresh service (Twilio does not
publish them as a table): a reading kept here so that it can be revisited.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from conversations.models import ConversationRole, ConversationService, ConversationUser

CHANNEL_ADMIN = "channel admin"
CHANNEL_USER = "channel user"
SERVICE_ADMIN = "service admin"
SERVICE_USER = "service user"

ROLES: dict[str, tuple[str, list[str]]] = {
    CHANNEL_ADMIN: (
        "conversation",
        ["sendMessage", "sendMediaMessage", "leaveConversation", "addParticipant", "removeParticipant",
         "editConversationName", "editConversationAttributes", "editOwnMessage", "editAnyMessage",
         "editOwnMessageAttributes", "editAnyMessageAttributes", "deleteOwnMessage", "deleteAnyMessage",
         "editOwnParticipantAttributes", "editAnyParticipantAttributes", "editNotificationLevel"],
    ),
    CHANNEL_USER: (
        "conversation",
        ["sendMessage", "sendMediaMessage", "leaveConversation", "editOwnMessage", "editOwnMessageAttributes",
         "deleteOwnMessage", "editOwnParticipantAttributes", "editNotificationLevel"],
    ),
    SERVICE_ADMIN: (
        "service",
        ["createConversation", "joinConversation", "deleteConversation", "addParticipant", "removeParticipant",
         "editConversationName", "editConversationAttributes", "editAnyMessage", "editAnyMessageAttributes",
         "deleteAnyMessage", "editAnyParticipantAttributes", "editAnyUserInfo", "editOwnUserInfo"],
    ),
    SERVICE_USER: ("service", ["createConversation", "joinConversation", "editOwnUserInfo"]),
}  # fmt: skip

# Configuration field → the default role it names.
DEFAULT_ROLE_FIELDS = {
    "default_conversation_creator_role_sid": CHANNEL_ADMIN,
    "default_conversation_role_sid": CHANNEL_USER,
    "default_chat_service_role_sid": SERVICE_USER,
}


def ensure_roles(service: ConversationService) -> None:
    """Make the service's default roles (those missing) and name them in its Configuration."""
    existing = {r.friendly_name: r for r in ConversationRole.objects.filter(service=service)}
    for name, (kind, permissions) in ROLES.items():
        if name in existing:
            continue
        role = ConversationRole(
            account_id=service.account_id,
            service=service,
            friendly_name=name,
            type=kind,
            permissions=permissions,
        )
        try:
            with transaction.atomic():
                role.save(force_insert=True)
        except IntegrityError:  # made meanwhile by another request
            role = ConversationRole.objects.get(service=service, friendly_name=name)
        existing[name] = role
    settings = dict(service.settings or {})
    configuration = dict(settings.get("configuration") or {})
    changed = False
    for field, name in DEFAULT_ROLE_FIELDS.items():
        if not configuration.get(field):
            configuration[field] = existing[name].sid
            changed = True
    if changed:
        settings["configuration"] = configuration
        service.settings = settings
        ConversationService.objects.filter(pk=service.pk).update(settings=settings)


def role_sid(service: ConversationService, field: str) -> str | None:
    """The role a Configuration field names (None when that role was deleted)."""
    sid = ((service.settings or {}).get("configuration") or {}).get(field)
    if not sid:
        return None
    return sid if ConversationRole.objects.filter(service=service, sid=sid).exists() else None


def user_for(service: ConversationService, identity: str) -> ConversationUser:
    """The service's User for ``identity``, made (with the default service role) when missing."""
    found = ConversationUser.objects.filter(service=service, identity=identity).first()
    if found is not None:
        return found
    role_id = None
    sid = role_sid(service, "default_chat_service_role_sid")
    if sid:
        role_id = ConversationRole.objects.filter(sid=sid).values_list("pk", flat=True).first()
    user = ConversationUser(
        account_id=service.account_id, service=service, identity=identity, role_id=role_id
    )
    try:
        with transaction.atomic():
            user.save(force_insert=True)
    except IntegrityError:  # the same identity joined elsewhere at the same moment
        return ConversationUser.objects.get(service=service, identity=identity)
    return user
