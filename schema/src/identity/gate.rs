//! The write gate: a document that contains a mutation is refused before it runs when the
//! caller's credential may not change anything (a read-only token, a browser request without
//! its CSRF token). Field guards decide who may do what; this makes sure no mutation, guarded
//! or not, runs on a credential that must only read.

use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{ExecutableDocument, OperationType};
use async_graphql::{ServerError, ServerResult, Variables};

use super::Caller;

/// The extension factory, registered on the schema.
pub struct WriteGate;

impl ExtensionFactory for WriteGate {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(WriteGateExtension)
    }
}

struct WriteGateExtension;

#[async_trait::async_trait]
impl Extension for WriteGateExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        let mutates = document
            .operations
            .iter()
            .any(|(_, operation)| operation.node.ty == OperationType::Mutation);
        let refusal = ctx.data_opt::<Caller>().and_then(Caller::write_refusal);
        match refusal {
            Some(reason) if mutates => {
                let mut error = ServerError::new(reason, None);
                let mut extensions = async_graphql::ErrorExtensionValues::default();
                extensions.set("code", "FORBIDDEN");
                error.extensions = Some(extensions);
                Err(error)
            }
            _ => Ok(document),
        }
    }
}
