//! tuanle use cases: every action a person or a program takes, with its
//! authorisation check, in one transaction, with an audit row.

pub mod activities;
pub mod audit;
pub mod auth;
pub mod campaigns;
pub mod consolidation;
pub mod demo;
pub mod documents;
pub mod error;
pub mod jobs;
pub mod notifications;
pub mod plan_documents;
pub mod plans;
pub mod reports;
pub mod units;
pub mod users;
pub mod workbooks;

pub use error::AppError;
use tuanle_domain::access::{allows, Action};
use tuanle_domain::unit::Unit;
use tuanle_store::{Store, UserRecord};

pub type Result<T, E = AppError> = std::result::Result<T, E>;

/// The application: the store plus settings.
#[derive(Clone, Debug)]
pub struct App {
    pub store: Store,
    /// Templates by id. Stored templates never change (a change is a new version),
    /// so this per-process cache is always valid and shared instances agree.
    templates: std::sync::Arc<
        std::sync::RwLock<
            std::collections::HashMap<i64, std::sync::Arc<tuanle_domain::template::Template>>,
        >,
    >,
    /// Campaigns by id. Campaigns cannot be edited once created (no use case changes
    /// one), so this cache cannot go stale; a future edit use case must refresh it.
    campaigns: std::sync::Arc<
        std::sync::RwLock<std::collections::HashMap<i64, tuanle_domain::campaign::Campaign>>,
    >,
    /// The clock of the use cases that depend on the date (consultation deadlines,
    /// overdue tasks, issuance dates): the system clock unless a test or a replay of
    /// past events sets it ([`App::set_clock`]).
    clock: std::sync::Arc<std::sync::RwLock<Option<chrono::DateTime<chrono::Utc>>>>,
    /// SMTP, reminder days and site address of the notifications (`App::set_notify_settings`).
    notify: std::sync::Arc<std::sync::RwLock<notifications::NotifySettings>>,
    /// Idle timeout of web sessions (`App::set_session_settings`).
    sessions: std::sync::Arc<std::sync::RwLock<auth::SessionSettings>>,
}

/// Người thực hiện — who is acting: a signed-in user, their unit, their address.
#[derive(Clone, Debug)]
pub struct Actor {
    pub user: UserRecord,
    pub unit: Unit,
    pub ip: Option<String>,
}

impl Actor {
    /// Fails with 403 unless the actor may do `action` on `target`.
    pub fn require(&self, target: &Unit, action: Action) -> Result<()> {
        if allows(self.user.role, &self.unit, target, action) {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!(
                "Bạn không có quyền với đơn vị \"{}\"",
                target.name
            )))
        }
    }

    pub fn can(&self, target: &Unit, action: Action) -> bool {
        allows(self.user.role, &self.unit, target, action)
    }

    /// Whether the actor sits at a tree's national root.
    pub fn is_national(&self) -> bool {
        self.unit.parent_id.is_none()
    }

    pub(crate) fn audit(&self) -> tuanle_store::NewAudit {
        tuanle_store::NewAudit {
            user_id: Some(self.user.id),
            username: Some(self.user.username.clone()),
            ip: self.ip.clone(),
            ..Default::default()
        }
    }
}

impl App {
    /// Opens the store and installs the built-in templates if missing.
    pub async fn open(url: &str) -> Result<App> {
        let store = Store::connect(url).await?;
        let app = App {
            store,
            templates: Default::default(),
            campaigns: Default::default(),
            clock: Default::default(),
            notify: Default::default(),
            sessions: Default::default(),
        };
        app.install_builtin_templates().await?;
        Ok(app)
    }

    /// Now, by this instance's clock.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock
            .read()
            .ok()
            .and_then(|c| *c)
            .unwrap_or_else(chrono::Utc::now)
    }

    /// Today's date in Vietnam, by this instance's clock.
    pub fn today(&self) -> chrono::NaiveDate {
        self.now()
            .with_timezone(&tuanle_domain::format::vietnam_offset())
            .date_naive()
    }

    /// Fixes this instance's clock at `at` (`None`: back to the system clock). For tests
    /// and for replaying a past campaign; never set by a request.
    pub fn set_clock(&self, at: Option<chrono::DateTime<chrono::Utc>>) {
        if let Ok(mut c) = self.clock.write() {
            *c = at;
        }
    }
}
