//! Reads (and, later, writes) the single branding row.

use entity::branding;
use sea_orm::{DatabaseConnection, EntityTrait};

use crate::DomainError;

/// Branding rules over the `branding` table.
#[derive(Clone)]
pub struct BrandingService {
    db: DatabaseConnection,
}

impl BrandingService {
    /// A service over `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// The current branding. The row is seeded by the migrations, so its absence is an error.
    #[tracing::instrument(skip(self), err)]
    pub async fn current(&self) -> Result<branding::Model, DomainError> {
        branding::Entity::find_by_id(entity::BRANDING_ROW_ID)
            .one(&self.db)
            .await?
            .ok_or_else(|| DomainError::NotFound("branding has not been initialised".into()))
    }
}
