//! The OpenAPI document, generated from the handlers' annotations (utoipa).

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::{analytics, device, error, leases, pool, routes, stripe, tiers, usage};

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

/// Documents the answers every route with a JSON body can give before its handler runs (bad JSON,
/// wrong types, missing content type, oversize body), so clients and fuzzers know them.
struct RequestErrors;

impl Modify for RequestErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
        let answer = |description: &str| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content(
                        "application/json",
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("ErrorBody")))
                            .build(),
                    )
                    .build(),
            )
        };
        for item in openapi.paths.paths.values_mut() {
            for op in [
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ]
            .into_iter()
            .flatten()
            {
                if op.request_body.is_none() {
                    continue;
                }
                for (code, description) in [
                    ("400", "The body is not valid JSON (`invalid_json`)"),
                    (
                        "413",
                        "The body is larger than 64 KiB (`payload_too_large`)",
                    ),
                    (
                        "415",
                        "No `Content-Type: application/json` (`unsupported_media_type`)",
                    ),
                    (
                        "422",
                        "The JSON has the wrong shape or a value is not acceptable",
                    ),
                ] {
                    op.responses
                        .responses
                        .entry(code.to_string())
                        .or_insert_with(|| answer(description));
                }
            }
        }
    }
}

/// The API description served at `/openapi.json`.
#[derive(OpenApi)]
#[openapi(
    info(title = "Son1k Studio API", description = "Accounts, tiers, entitlement leases, Stripe and the community pool."),
    paths(
        crate::pages::landing, crate::health::health, crate::health::live, crate::health::ready,
        crate::pages::docs, spec, crate::metrics::scrape,
        routes::auth::signup, routes::auth::login, routes::auth::refresh, routes::auth::logout,
        routes::auth::me, routes::auth::delete_account,
        device::page, device::start, device::approve, device::token,
        tiers::table, tiers::limits, tiers::checkout, stripe::webhook,
        usage::record, analytics::ingest, leases::issue, leases::public_key, leases::public_keys,
        pool::list, pool::claim, pool::withdraw, pool::like, pool::play, pool::ranking,
        pool::policy, pool::selection, crate::admin_summary::summary,
    ),
    components(schemas(error::ErrorBody, error::ErrorDetail)),
    modifiers(&Bearer, &RequestErrors),
    tags((name = "auth"), (name = "device"), (name = "tiers"), (name = "usage"), (name = "leases"), (name = "community"), (name = "analytics"), (name = "admin"), (name = "meta"))
)]
pub struct ApiDoc;

/// The OpenAPI document.
#[utoipa::path(get, path = "/openapi.json", tag = "meta",
    responses((status = 200, description = "OpenAPI 3.1 document", content_type = "application/json")))]
pub async fn spec() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(ApiDoc::openapi())
}
