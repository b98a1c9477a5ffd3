//! One password check per GraphQL request: a document that asks for `login` twice (through
//! aliases or fragments) gets the second and later ones refused, so one request cannot buy
//! hundreds of argon2 verifications.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextResolve, ResolveInfo,
};
use async_graphql::{ServerError, ServerResult, Value};

/// The extension factory, registered on the schema; each request gets its own counter.
pub struct OneLogin;

impl ExtensionFactory for OneLogin {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(OneLoginExtension::default())
    }
}

#[derive(Default)]
struct OneLoginExtension {
    tried: AtomicBool,
}

#[async_trait::async_trait]
impl Extension for OneLoginExtension {
    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        if info.parent_type == "Mutation"
            && info.name == "login"
            && self.tried.swap(true, Ordering::Relaxed)
        {
            return Err(ServerError::new(
                "one `login` per request: send each sign-in on its own",
                None,
            ));
        }
        next.run(ctx, info).await
    }
}
