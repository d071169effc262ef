//! PostgreSQL for the hub's tests: the cluster named by `FENLIU_TEST_POSTGRES`, and a fresh
//! database in it for each test.

use fenliu::hub::store::PgHubStore;
use sqlx_core::connection::Connection;
use sqlx_core::query::query;
use sqlx_core::sql_str::AssertSqlSafe;
use sqlx_postgres::PgConnection;

/// The cluster's URL, when the PostgreSQL tests are to run.
pub fn url() -> Option<String> {
    std::env::var("FENLIU_TEST_POSTGRES")
        .ok()
        .filter(|u| !u.is_empty())
}

/// Says, once per test binary and past the test harness's capture, that its PostgreSQL tests
/// were not run.
pub fn not_run(what: &str) {
    static TOLD: std::sync::Once = std::sync::Once::new();
    TOLD.call_once(|| {
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "FENLIU_TEST_POSTGRES is not set: the PostgreSQL {what} was not run"
        );
    });
}

/// A new, empty database in the cluster at `admin`; its URL.
pub fn fresh_database(admin: &str) -> String {
    let mut bytes = [0u8; 8];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
    let name = format!("fenliu_t_{}", hex::encode(bytes));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let mut conn = PgConnection::connect(admin)
            .await
            .expect("connect to FENLIU_TEST_POSTGRES");
        query(AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .expect("create a test database");
    });
    let (base, params) = match admin.split_once('?') {
        Some((b, p)) => (b, format!("?{p}")),
        None => (admin, String::new()),
    };
    let root = base
        .rfind('/')
        .filter(|i| *i > "postgres://".len())
        .map_or(base, |i| &base[..i]);
    format!("{root}/{name}{params}")
}

/// A hub store on a fresh database, and the database's URL for more connections to it.
pub fn fresh_store(admin: &str) -> (PgHubStore, String) {
    let url = fresh_database(admin);
    (
        PgHubStore::open(&url).expect("open the PostgreSQL hub store"),
        url,
    )
}

/// Runs `sql` on the database at `url`.
#[allow(dead_code)]
pub fn execute(url: &str, sql: &str) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let mut conn = PgConnection::connect(url).await.expect("connect");
        query(AssertSqlSafe(sql.to_string()))
            .execute(&mut conn)
            .await
            .expect("run the statement");
    });
}
