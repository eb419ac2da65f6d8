"""Roles, permissions and audit actions: one grammar, ``scope:resource:action``.

Permissions are what a route declares it needs; actions are what the audit log records. Both are
closed lists here so a typo is a NameError at import, not a silent hole.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    officer = "officer"
    supervisor = "supervisor"
    contact_24_7 = "contact_24_7"
    custodian = "custodian"
    auditor = "auditor"
    admin = "admin"


class AuthorityRole(StrEnum):
    """What an authority is, in the sense of the convention's notifications (art. 40, 41)."""

    central_authority = "central_authority"
    contact_24_7 = "contact_24_7"
    competent_authority = "competent_authority"
    extradition_authority = "extradition_authority"


class Permission(StrEnum):
    node_authority_read = "node:authority:read"
    node_authority_manage = "node:authority:manage"
    authority_user_read = "authority:user:read"
    authority_user_manage = "authority:user:manage"
    audit_log_read = "audit:log:read"
    own_profile_read = "self:profile:read"
    own_token_manage = "self:token:manage"
    directory_authority_read = "directory:authority:read"
    message_send = "federation:message:send"
    message_read = "federation:message:read"
    request_read = "request:request:read"
    request_draft = "request:request:draft"
    request_approve = "request:request:approve"
    request_execute = "request:request:execute"
    request_assign = "request:request:assign"
    evidence_item_read = "evidence:item:read"
    evidence_item_write = "evidence:item:write"


class AuditAction(StrEnum):
    """Every audit entry's action. Append here; never rename (old entries keep the name)."""

    auth_login_succeeded = "auth:login:succeeded"
    auth_login_failed = "auth:login:failed"
    auth_login_throttled = "auth:login:throttled"
    auth_token_created = "auth:token:created"
    auth_token_revoked = "auth:token:revoked"
    auth_token_rejected = "auth:token:rejected"
    auth_password_changed = "auth:password:changed"
    auth_totp_enrolled = "auth:totp:enrolled"
    authority_user_created = "authority:user:created"
    authority_user_updated = "authority:user:updated"
    node_authority_created = "node:authority:created"
    node_authority_updated = "node:authority:updated"
    keyring_key_created = "keyring:key:created"
    keyring_key_rotated = "keyring:key:rotated"
    keyring_identity_exported = "keyring:identity:exported"
    audit_checkpoint_signed = "audit:checkpoint:signed"
    audit_witness_alert = "audit:witness:alert"
    audit_log_sealed = "audit:log:sealed"
    authz_access_denied = "authz:access:denied"
    directory_version_imported = "directory:version:imported"
    federation_envelope_accepted = "federation:envelope:accepted"
    federation_envelope_rejected = "federation:envelope:rejected"
    federation_envelope_delivered = "federation:envelope:delivered"
    federation_envelope_refused = "federation:envelope:refused"
    federation_envelope_failed = "federation:envelope:failed"
    federation_note_sent = "federation:note:sent"
    federation_ping_sent = "federation:ping:sent"
    request_draft_created = "request:draft:created"
    request_draft_updated = "request:draft:updated"
    request_status_transition = "request:status:transition"
    request_action_proposed = "request:action:proposed"
    request_consultation_recorded = "request:consultation:recorded"
    request_assignment_changed = "request:assignment:changed"
    request_data_exported = "request:data:exported"
    request_data_forwarded = "request:data:forwarded"
    request_use_refused = "request:use:refused"
    request_condition_lifted = "request:condition:lifted"
    request_deadline_policy_set = "request:deadline_policy:set"
    request_preservation_extension_asked = "request:preservation:extension_asked"
    request_preservation_extended = "request:preservation:extended"
    request_preservation_warned = "request:preservation:warned"
    request_prosecution_opened = "request:prosecution:opened"
    request_prosecution_submitted = "request:prosecution:submitted"
    request_prosecution_decided = "request:prosecution:decided"
    evidence_item_ingested = "evidence:item:ingested"
    evidence_custody_recorded = "evidence:custody:recorded"
    evidence_item_downloaded = "evidence:item:downloaded"
    evidence_item_exported = "evidence:item:exported"
    evidence_item_deleted = "evidence:item:deleted"
    evidence_use_refused = "evidence:use:refused"
    evidence_upload_created = "evidence:upload:created"
    evidence_upload_completed = "evidence:upload:completed"
    evidence_upload_terminated = "evidence:upload:terminated"
    evidence_upload_expired = "evidence:upload:expired"
    evidence_package_queued = "evidence:package:queued"
    evidence_package_sent = "evidence:package:sent"
    evidence_package_received = "evidence:package:received"
    evidence_package_verified = "evidence:package:verified"
    evidence_package_failed = "evidence:package:failed"
    evidence_package_deleted = "evidence:package:deleted"


_CASEWORK = {Permission.message_send, Permission.message_read, Permission.request_read}
# Whoever handles a case handles its evidence; seeing an item still needs seeing its request.
_EVIDENCE = {Permission.evidence_item_read, Permission.evidence_item_write}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.admin: frozenset({Permission.authority_user_read, Permission.authority_user_manage}),
    Role.auditor: frozenset({Permission.audit_log_read, Permission.authority_user_read}),
    Role.supervisor: frozenset(
        {
            *_CASEWORK,
            *_EVIDENCE,
            Permission.authority_user_read,
            Permission.request_draft,
            Permission.request_approve,
            Permission.request_execute,
            Permission.request_assign,
        }
    ),
    Role.officer: frozenset(
        {*_CASEWORK, *_EVIDENCE, Permission.request_draft, Permission.request_execute}
    ),
    Role.contact_24_7: frozenset(
        {*_CASEWORK, *_EVIDENCE, Permission.request_draft, Permission.request_execute}
    ),
    Role.custodian: frozenset({Permission.request_read, *_EVIDENCE}),
}

# Every signed-in user may read their own profile, manage their own API tokens and search the
# directory (finding the right foreign counterpart is part of every officer's work).
BASELINE_PERMISSIONS = frozenset(
    {
        Permission.own_profile_read,
        Permission.own_token_manage,
        Permission.directory_authority_read,
    }
)
NODE_ADMIN_PERMISSIONS = frozenset(
    {Permission.node_authority_read, Permission.node_authority_manage}
)


def permissions_for(roles: frozenset[Role], *, node_admin: bool) -> frozenset[Permission]:
    granted = set(BASELINE_PERMISSIONS)
    for role in roles:
        granted |= ROLE_PERMISSIONS[role]
    if node_admin:
        granted |= NODE_ADMIN_PERMISSIONS
    return frozenset(granted)
