//! tuanle HTTP layer: HTML pages (askama), the JSON API under `/api/v1` and its
//! OpenAPI document. Handlers parse, call one use case of `tuanle-app`, render.

pub mod api;
pub mod auth;
pub mod error;
pub mod pages;

use std::net::SocketAddr;

use axum::http::{header, HeaderValue};
use axum::routing::get;
use axum::Router;
use tower_http::set_header::SetResponseHeaderLayer;
use tuanle_app::App;

/// Largest request body accepted (photos are at most 5 MB each, a few per request).
pub const BODY_LIMIT: usize = 25 * 1024 * 1024;

/// Shared state of the handlers.
#[derive(Clone, Debug)]
pub struct AppState {
    pub app: App,
    /// Mark cookies `Secure` (behind HTTPS).
    pub secure_cookies: bool,
}

/// The whole router: pages, API, health, static files.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .merge(pages::routes().layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::csrf_guard,
        )))
        .nest("/api", api::routes())
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::map_response(too_large_in_vietnamese))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'"),
        ))
        .with_state(state)
}

/// Replaces the body of a 413 (request body over [`BODY_LIMIT`]) with a Vietnamese message:
/// the API's JSON error shape under `/api`, plain text elsewhere.
async fn too_large_in_vietnamese(
    uri: axum::http::Uri,
    res: axum::response::Response,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    if res.status() != axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        return res;
    }
    let message = format!(
        "Dữ liệu gửi lên quá lớn (tối đa {} MB)",
        BODY_LIMIT / (1024 * 1024)
    );
    let status = axum::http::StatusCode::PAYLOAD_TOO_LARGE;
    if uri.path().starts_with("/api/") {
        let body = serde_json::json!({"error": {"code": "too_large", "message": message}});
        (status, axum::Json(body)).into_response()
    } else {
        (status, message).into_response()
    }
}

/// `GET /healthz`: 200 when the database answers, 503 otherwise.
async fn healthz(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> (axum::http::StatusCode, &'static str) {
    match state.app.store.ping().await {
        Ok(()) => (axum::http::StatusCode::OK, "ok"),
        Err(_) => (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "database unavailable",
        ),
    }
}

/// Serves until Ctrl-C / SIGTERM.
pub async fn serve(app: App, addr: SocketAddr) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    serve_on(app, listener).await
}

/// Identifies this process among the app instances sharing a database.
pub fn instance_id() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "tuanle".into());
    format!(
        "{host}-{}-{}",
        std::process::id(),
        &tuanle_app::auth::random_token()[..8]
    )
}

/// Serves on an already bound listener (tests bind port 0), with this instance's
/// background worker (every instance runs one; each job is claimed by one of them).
pub async fn serve_on(app: App, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    let interval = std::env::var("TUANLE_WORKER_INTERVAL_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5_000u64);
    let instance = instance_id();
    tracing::info!(%instance, "khởi động việc nền");
    let worker = tokio::spawn(
        app.clone()
            .worker_loop(instance, std::time::Duration::from_millis(interval)),
    );
    let fold_interval = std::env::var("TUANLE_FOLD_INTERVAL_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200u64);
    let folder = tokio::spawn(
        app.clone()
            .fold_loop(std::time::Duration::from_millis(fold_interval)),
    );
    let state = AppState {
        app,
        // Behind HTTPS (docs/deployment.md): cookies marked Secure.
        secure_cookies: std::env::var("TUANLE_SECURE_COOKIES")
            .is_ok_and(|v| matches!(v.trim(), "1" | "true" | "yes")),
    };
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    worker.abort();
    folder.abort();
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
