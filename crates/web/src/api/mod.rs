//! JSON API under `/api/v1`, described by OpenAPI 3 at `/api/openapi.json`.

use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
