//! The OpenAPI document, generated from the handlers' annotations (utoipa).

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::{analytics, auth, device, error, leases, pool, stripe, tiers, usage};

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The API description served at `/openapi.json`.
#[derive(OpenApi)]
#[openapi(
    info(title = "Son1k Studio API", description = "Accounts, tiers, entitlement leases, Stripe and the community pool."),
    paths(
        crate::pages::landing, crate::health, crate::pages::docs, spec,
        auth::signup, auth::login, auth::refresh, auth::logout, auth::me, auth::delete_account,
        device::page, device::start, device::approve, device::token,
        tiers::table, tiers::limits, tiers::checkout, stripe::webhook,
        usage::record, analytics::ingest, leases::issue, leases::public_key,
        pool::list, pool::claim, pool::withdraw, pool::like, pool::play, pool::ranking,
        pool::policy, pool::selection,
    ),
    components(schemas(error::ErrorBody, error::ErrorDetail)),
    modifiers(&Bearer),
    tags((name = "auth"), (name = "device"), (name = "tiers"), (name = "usage"), (name = "leases"), (name = "community"), (name = "analytics"), (name = "meta"))
)]
pub struct ApiDoc;

/// The OpenAPI document.
#[utoipa::path(get, path = "/openapi.json", tag = "meta",
    responses((status = 200, description = "OpenAPI 3.1 document", content_type = "application/json")))]
pub async fn spec() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(ApiDoc::openapi())
}
