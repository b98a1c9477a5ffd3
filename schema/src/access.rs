//! Who is calling, and what they may do: the vocabulary every domain's GraphQL uses to
//! authorize (roles, permissions, the caller, the `Needs` guard). It depends on no domain, so
//! every domain may depend on it.
//!
//! The server turns a request's credentials (a session cookie, a personal access token, the
//! master key) into a [`Caller`] and attaches it to every GraphQL request. Resolvers never look
//! at headers: they ask the caller for a [`Permission`], through the [`Needs`] field guard or
//! [`Caller::require`]. Anything not granted is denied.

use std::fmt;

use async_graphql::{Context, Enum, ErrorExtensions, Guard};
use uuid::Uuid;

use crate::DomainError;

/// A role; a user holds one or more.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// Everything, including changes to other people's data and the platform.
    #[graphql(name = "ADMIN")]
    Admin,
    /// Reads everything, changes nothing that is not their own.
    #[graphql(name = "ADMIN_READONLY")]
    AdminReadonly,
    /// Their own data only.
    #[graphql(name = "USER")]
    User,
}

impl Role {
    /// The role's name as stored in `users.roles` and used in configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::AdminReadonly => "admin-readonly",
            Self::User => "user",
        }
    }

    /// The role named `name`, if it is one.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "admin" => Some(Self::Admin),
            "admin-readonly" => Some(Self::AdminReadonly),
            "user" => Some(Self::User),
            _ => None,
        }
    }

    /// The roles in a `users.roles` JSON list; unknown names are ignored.
    pub fn from_json(value: &serde_json::Value) -> Vec<Self> {
        let mut roles: Vec<Self> = value
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().and_then(Self::parse))
            .collect();
        roles.sort_by_key(|r| *r as u8);
        roles.dedup();
        roles
    }

    /// A `users.roles` JSON list.
    pub fn to_json(roles: &[Self]) -> serde_json::Value {
        serde_json::Value::Array(roles.iter().map(|r| r.as_str().into()).collect())
    }
}

/// Something a caller may be allowed to do.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Read one's own data.
    #[graphql(name = "READ_OWN")]
    ReadOwn,
    /// Change one's own data.
    #[graphql(name = "WRITE_OWN")]
    WriteOwn,
    /// Read everyone's data and the platform's settings.
    #[graphql(name = "READ_ALL")]
    ReadAll,
    /// Change everyone's data and the platform's settings.
    #[graphql(name = "WRITE_ALL")]
    WriteAll,
}

/// How the caller proved who they are.
#[derive(Clone, PartialEq, Eq)]
pub enum Credential {
    /// Nothing presented.
    Anonymous,
    /// A browser session; `csrf` says whether the request carried the session's CSRF token
    /// (or came over a WebSocket whose origin was checked).
    Session {
        /// Hex SHA-256 of the session id.
        id_hash: String,
        /// Whether cross-site request forgery is ruled out for this request.
        csrf: bool,
    },
    /// A personal access token.
    Token {
        /// The token's id.
        id: Uuid,
        /// False for read-only tokens.
        write: bool,
    },
    /// The master key: a service administrator.
    MasterKey,
}

impl fmt::Debug for Credential {
    /// Names the kind only: a session hash is not for logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Anonymous => "Anonymous",
            Self::Session { .. } => "Session",
            Self::Token { .. } => "Token",
            Self::MasterKey => "MasterKey",
        })
    }
}

/// A signed-in identity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    /// The user row; `None` for the master key, which is no user.
    pub user_id: Option<Uuid>,
    /// What to call them.
    pub name: String,
    /// Their roles.
    pub roles: Vec<Role>,
}

/// The caller of one GraphQL operation, attached to it by the server.
#[derive(Clone, Debug)]
pub struct Caller {
    /// Who, when signed in.
    pub principal: Option<Principal>,
    /// With what.
    pub credential: Credential,
}

impl Caller {
    /// A caller who presented nothing.
    pub fn anonymous() -> Self {
        Self {
            principal: None,
            credential: Credential::Anonymous,
        }
    }

    /// The master key: a service administrator.
    pub fn master_key() -> Self {
        Self {
            principal: Some(Principal {
                user_id: None,
                name: "master key".into(),
                roles: vec![Role::Admin],
            }),
            credential: Credential::MasterKey,
        }
    }

    /// Whether this credential may change anything at all.
    pub fn may_write(&self) -> bool {
        match &self.credential {
            Credential::Anonymous | Credential::MasterKey => true,
            Credential::Session { csrf, .. } => *csrf,
            Credential::Token { write, .. } => *write,
        }
    }

    /// Why this credential may not change anything, for the error message.
    pub fn write_refusal(&self) -> Option<&'static str> {
        match &self.credential {
            Credential::Session { csrf: false, .. } => Some(
                "a signed-in browser must send the x-csrf-token header (the CSRF cookie, sy_csrf) \
                 with every mutation",
            ),
            Credential::Token { write: false, .. } => Some(
                "this personal access token is read-only; create a read-write token to make changes",
            ),
            _ => None,
        }
    }

    /// Every permission this caller holds.
    pub fn permissions(&self) -> Vec<Permission> {
        let Some(principal) = &self.principal else {
            return Vec::new();
        };
        let write = self.may_write();
        let mut granted = vec![Permission::ReadOwn];
        if write {
            granted.push(Permission::WriteOwn);
        }
        let admin = principal.roles.contains(&Role::Admin);
        if admin || principal.roles.contains(&Role::AdminReadonly) {
            granted.push(Permission::ReadAll);
        }
        if admin && write {
            granted.push(Permission::WriteAll);
        }
        granted
    }

    /// Ok when the caller holds `permission`; otherwise why not.
    pub fn require(&self, permission: Permission) -> Result<&Principal, DomainError> {
        let principal = self
            .principal
            .as_ref()
            .ok_or(DomainError::Unauthenticated)?;
        if self.permissions().contains(&permission) {
            return Ok(principal);
        }
        if let Some(reason) = self.write_refusal() {
            return Err(DomainError::Forbidden(reason.into()));
        }
        Err(DomainError::Forbidden(match permission {
            Permission::ReadAll => "only administrators may read this".into(),
            Permission::WriteAll => "only administrators may change this".into(),
            Permission::ReadOwn | Permission::WriteOwn => "not allowed".into(),
        }))
    }

    /// The signed-in user's id, for operations on one's own data.
    pub fn require_user(&self, permission: Permission) -> Result<Uuid, DomainError> {
        self.require(permission)?.user_id.ok_or_else(|| {
            DomainError::BadInput(
                "the master key is no user; sign in or use a personal access token".into(),
            )
        })
    }
}

/// The caller attached to a GraphQL context; anonymous when the server attached none.
pub fn caller<'a>(ctx: &'a Context<'_>) -> std::borrow::Cow<'a, Caller> {
    match ctx.data_opt::<Caller>() {
        Some(caller) => std::borrow::Cow::Borrowed(caller),
        None => std::borrow::Cow::Owned(Caller::anonymous()),
    }
}

/// A field guard: the caller must hold the permission.
pub struct Needs(pub Permission);

impl Guard for Needs {
    async fn check(&self, ctx: &Context<'_>) -> async_graphql::Result<()> {
        caller(ctx)
            .require(self.0)
            .map(|_| ())
            .map_err(|e| e.extend())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(roles: &[Role], credential: Credential) -> Caller {
        Caller {
            principal: Some(Principal {
                user_id: Some(Uuid::nil()),
                name: "ana".into(),
                roles: roles.to_vec(),
            }),
            credential,
        }
    }

    fn session(csrf: bool) -> Credential {
        Credential::Session {
            id_hash: "h".into(),
            csrf,
        }
    }

    #[test]
    fn roles_grant_their_permissions_and_no_more() {
        use Permission::*;
        assert_eq!(
            with(&[Role::User], session(true)).permissions(),
            [ReadOwn, WriteOwn]
        );
        assert_eq!(
            with(&[Role::AdminReadonly], session(true)).permissions(),
            [ReadOwn, WriteOwn, ReadAll]
        );
        assert_eq!(
            with(&[Role::Admin], session(true)).permissions(),
            [ReadOwn, WriteOwn, ReadAll, WriteAll]
        );
        assert!(Caller::anonymous().permissions().is_empty());
        assert!(with(&[], session(true)).require(ReadAll).is_err());
    }

    #[test]
    fn read_only_tokens_and_unverified_sessions_cannot_write() {
        use Permission::*;
        let token = Credential::Token {
            id: Uuid::nil(),
            write: false,
        };
        let reader = with(&[Role::Admin], token);
        assert_eq!(reader.permissions(), [ReadOwn, ReadAll]);
        let refused = reader.require(WriteAll).unwrap_err().to_string();
        assert!(refused.contains("read-only"), "{refused}");
        let forged = with(&[Role::Admin], session(false));
        assert!(
            forged
                .require(WriteOwn)
                .unwrap_err()
                .to_string()
                .contains("x-csrf-token")
        );
    }

    #[test]
    fn role_lists_round_trip_and_ignore_unknown_names() {
        let json = serde_json::json!(["user", "admin", "wizard", "admin"]);
        let roles = Role::from_json(&json);
        assert_eq!(roles, [Role::Admin, Role::User]);
        assert_eq!(Role::from_json(&Role::to_json(&roles)), roles);
    }
}
