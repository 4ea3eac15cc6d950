//! `tuanle` — the command line of the Lifelong Learning Week reporting platform
//! (*Tuần lễ hưởng ứng học tập suốt đời*): run the web server, import the official
//! unit lists, create accounts, manage templates and rebuild consolidations.
//!
//! The command line is the server operator's tool. Commands whose use case accepts
//! an operator (no signed-in user) run as the operator unless `--as USERNAME` names
//! an account whose rights are then checked; commands whose use case needs a user
//! (`units import-bodies`, `template import`) act as `--as USERNAME`, or by default
//! as the one national administrator (see README.md, "Dòng lệnh").
//!
//! Exit codes: 0 success, 1 an error of the user's input or data (message in
//! Vietnamese on stderr), 2 wrong usage of the command line.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

mod backup;
mod context;
mod reports;
mod serve;
mod templates;
mod units;
mod users;

use context::CliError;

/// tuanle — báo cáo kết quả Tuần lễ hưởng ứng học tập suốt đời
/// (Lifelong Learning Week reporting).
#[derive(Debug, Parser)]
#[command(
    name = "tuanle",
    version,
    about = "tuanle — báo cáo kết quả Tuần lễ hưởng ứng học tập suốt đời (Lifelong Learning Week reporting)",
    long_about = "tuanle — nền tảng báo cáo kết quả Tuần lễ hưởng ứng học tập suốt đời: các đơn vị nhập báo cáo \
theo mẫu tổng hợp, mỗi cấp xem ngay số liệu tổng hợp của cây đơn vị cấp dưới.\n\n\
Web platform where administrative units report the results of the Lifelong Learning Week and every \
level sees its subtree consolidated live.\n\n\
Mã thoát (exit codes): 0 thành công, 1 lỗi dữ liệu/thao tác (thông báo tiếng Việt trên stderr), 2 sai cú pháp lệnh."
)]
struct Cli {
    /// Địa chỉ cơ sở dữ liệu (database URL): sqlite://tuanle.db hoặc postgres://user:pass@host/db
    #[arg(
        long,
        global = true,
        env = "DATABASE_URL",
        // The URL may hold a password: never print the variable's value in --help.
        hide_env_values = true,
        default_value = "sqlite://tuanle.db",
        value_name = "URL"
    )]
    db: String,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Chạy máy chủ web (run the web server: pages, JSON API, OpenAPI)
    Serve(ServeArgs),
    /// Cây đơn vị: nhập danh mục đơn vị hành chính, cơ quan trực thuộc (unit trees)
    #[command(subcommand)]
    Units(UnitsCommand),
    /// Tài khoản người dùng (user accounts)
    #[command(subcommand)]
    User(UserCommand),
    /// Mẫu tổng hợp: liệt kê, xuất, nhập (indicator templates)
    #[command(subcommand)]
    Template(TemplateCommand),
    /// Tuần lễ: liệt kê các đợt (campaigns)
    #[command(subcommand)]
    Campaign(CampaignCommand),
    /// Số liệu tổng hợp (consolidation)
    #[command(subcommand)]
    Consolidation(ConsolidationCommand),
    /// Báo cáo: nhập/xuất bảng tính Excel (report workbooks in and out; see docs/workbooks.md)
    #[command(subcommand)]
    Reports(ReportsCommand),
    /// Sao lưu cơ sở dữ liệu vào một tệp (SQLite: trực tuyến; PostgreSQL: pg_dump) — backup
    Backup(BackupArgs),
    /// Phục hồi cơ sở dữ liệu từ tệp sao lưu (dừng máy chủ trước) — restore
    Restore(RestoreArgs),
    /// Đo hiệu năng quy mô toàn quốc, so với DuckDB (national benchmark; see docs/benchmarks.md)
    Bench(BenchArgs),
    /// Kiểm thử tải một máy chủ đang chạy: nhiều máy khách đồng thời đọc và ghi (load test; see docs/security.md)
    Load(LoadArgs),
}

#[derive(Debug, Args)]
pub struct LoadArgs {
    /// Địa chỉ máy chủ đang chạy (base URL), ví dụ http://127.0.0.1:8080
    #[arg(long, value_name = "URL")]
    pub url: String,
    /// Số máy khách đồng thời (concurrent clients)
    #[arg(long, default_value_t = 200)]
    pub clients: usize,
    /// Thời gian chạy, giây (duration in seconds)
    #[arg(long, default_value_t = 60)]
    pub seconds: u64,
    /// Tỉ lệ yêu cầu đọc, phần trăm (the rest are writes)
    #[arg(long, default_value_t = 70, value_parser = clap::value_parser!(u32).range(0..=100))]
    pub reads: u32,
    /// Tài khoản dùng để đọc và ghi (quản trị hoặc người duyệt cấp trên các đơn vị được ghi)
    #[arg(long, default_value = "admin", value_name = "USERNAME")]
    pub user: String,
    /// Mật khẩu của tài khoản
    #[arg(long, env = "TUANLE_LOAD_PASSWORD", hide_env_values = true)]
    pub password: String,
    /// Mã số (id) của Tuần lễ; mặc định Tuần lễ đầu tiên API liệt kê
    #[arg(long, value_name = "ID")]
    pub campaign: Option<i64>,
    /// Hạt giống của các lựa chọn ngẫu nhiên (seed)
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Một yêu cầu lâu hơn số giây này là lỗi (request timeout)
    #[arg(long, default_value_t = 30)]
    pub timeout: u64,
    /// Ghi kết quả dạng JSON vào tệp này
    #[arg(long, value_name = "FILE")]
    pub json: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// Tệp sao lưu sẽ tạo (không ghi đè tệp đã có)
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// Tệp sao lưu do `tuanle backup` tạo
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Xác nhận thay toàn bộ dữ liệu hiện có
    #[arg(long)]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Danh mục đơn vị hành chính 2021 (clean CSV)
    #[arg(
        long,
        default_value = "../shared/data/units/units-2021-11-01.csv",
        value_name = "FILE"
    )]
    pub units: std::path::PathBuf,
    /// Số kết nối HTTP đồng thời (concurrent clients)
    #[arg(long, default_value_t = 64)]
    pub clients: usize,
    /// Chỉ dùng N xã/phường đầu tiên (a smaller run); mặc định toàn quốc
    #[arg(long)]
    pub communes: Option<usize>,
    /// Trình Python có gói duckdb cho phép so sánh (baseline)
    #[arg(long, default_value = "python3")]
    pub python: String,
    /// Bỏ qua phép so sánh DuckDB (no baseline)
    #[arg(long)]
    pub no_baseline: bool,
    /// Kịch bản DuckDB
    #[arg(long, default_value = "scripts/bench_duckdb.py", value_name = "FILE")]
    pub duckdb_script: std::path::PathBuf,
    /// Thư mục ghi số liệu gốc xuất ra cho DuckDB
    #[arg(long, default_value = "target/bench", value_name = "DIR")]
    pub work_dir: std::path::PathBuf,
    /// Ghi kết quả dạng JSON vào tệp này
    #[arg(long, value_name = "FILE")]
    pub json: Option<std::path::PathBuf>,
    /// Đo nhập bảng tính: một bảng tính mỗi xã/phường, so với openpyxl (mặc định bật)
    #[arg(long, overrides_with = "no_workbooks")]
    pub workbooks: bool,
    /// Bỏ qua phần đo nhập bảng tính
    #[arg(long, overrides_with = "workbooks")]
    pub no_workbooks: bool,
    /// Kịch bản openpyxl (phần bảng tính)
    #[arg(long, default_value = "scripts/bench_openpyxl.py", value_name = "FILE")]
    pub openpyxl_script: std::path::PathBuf,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Địa chỉ lắng nghe HOST:PORT (listen address); cổng 0 = cổng trống bất kỳ
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "HOST:PORT")]
    pub addr: String,
    /// Tạo dữ liệu minh họa nếu cơ sở dữ liệu còn trống, rồi in các tài khoản minh họa (demo data)
    #[arg(long)]
    pub demo: bool,
    /// Máy chủ SMTP gửi thư thông báo (no host: e-mails stay queued)
    #[arg(long, env = "TUANLE_SMTP_HOST")]
    pub smtp_host: Option<String>,
    /// Cổng SMTP
    #[arg(long, env = "TUANLE_SMTP_PORT", default_value_t = 587)]
    pub smtp_port: u16,
    /// Bảo mật SMTP: none, starttls, tls
    #[arg(long, env = "TUANLE_SMTP_TLS", default_value = "starttls")]
    pub smtp_tls: String,
    /// Tài khoản SMTP
    #[arg(long, env = "TUANLE_SMTP_USER")]
    pub smtp_user: Option<String>,
    /// Mật khẩu SMTP (prefer the env variable)
    #[arg(long, env = "TUANLE_SMTP_PASSWORD", hide_env_values = true)]
    pub smtp_password: Option<String>,
    /// Địa chỉ gửi thư
    #[arg(long, env = "TUANLE_SMTP_FROM", default_value = "tuanle@localhost")]
    pub smtp_from: String,
    /// Số ngày nhắc trước hạn (reminder days before each deadline)
    #[arg(long, env = "TUANLE_REMINDER_DAYS", default_value_t = 3)]
    pub reminder_days: i64,
    /// Địa chỉ trang web dùng trong thư, lịch và liên kết đặt lại mật khẩu (public base URL, e.g. https://tuanle.example.vn)
    #[arg(long, env = "TUANLE_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Phiên đăng nhập web kết thúc sau bấy nhiêu phút không thao tác (idle timeout, 5–720)
    #[arg(long, env = "TUANLE_SESSION_IDLE_MINUTES", default_value_t = tuanle_app::auth::DEFAULT_IDLE_MINUTES)]
    pub session_idle_minutes: i64,
}

#[derive(Debug, Subcommand)]
enum UnitsCommand {
    /// Nhập danh mục đơn vị hành chính (CSV chuẩn hoặc tệp tải từ trang GSO) vào một cây đơn vị
    Import(ImportUnitsArgs),
    /// Nhập cơ quan, đơn vị trực thuộc (CSV code,name,type,parent_code) vào một cây đơn vị
    ImportBodies(ImportBodiesArgs),
    /// Liệt kê các cây đơn vị (list unit trees)
    Trees,
}

#[derive(Debug, Args)]
pub struct ImportUnitsArgs {
    /// Tên cây đơn vị (tree name); tạo mới nếu chưa có
    #[arg(long, value_name = "NAME")]
    pub tree: String,
    /// Ngày hiệu lực của cây mới, YYYY-MM-DD hoặc DD/MM/YYYY (mặc định: hôm nay); bỏ qua nếu cây đã có
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = context::parse_date)]
    pub date: Option<chrono::NaiveDate>,
    /// Nhập với quyền của tài khoản này (mặc định: người vận hành máy chủ)
    #[arg(long = "as", value_name = "USERNAME")]
    pub as_user: Option<String>,
    /// Tệp CSV: `code,name,type,level,parent_code` hoặc tệp xã/phường, quận/huyện của GSO
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct ImportBodiesArgs {
    /// Tên cây đơn vị (tree name), phải có sẵn
    #[arg(long, value_name = "NAME")]
    pub tree: String,
    /// Tài khoản quản trị thực hiện (acting administrator); mặc định: quản trị cấp trung ương duy nhất của cây
    #[arg(long = "as", value_name = "USERNAME")]
    pub as_user: Option<String>,
    /// Tệp CSV `code,name,type,parent_code`
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Tạo tài khoản (create an account; the first administrator: --unit VN --role admin)
    Add(AddUserArgs),
}

/// Vai trò (role).
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RoleArg {
    /// Xem — chỉ xem cây đơn vị cấp dưới
    Viewer,
    /// Báo cáo viên — nhập và nộp báo cáo của đơn vị mình
    Reporter,
    /// Người duyệt — trả lại, chấp nhận, nhập thay báo cáo cấp dưới
    Reviewer,
    /// Quản trị — tài khoản, đơn vị, Tuần lễ trong cây con
    Admin,
}

impl RoleArg {
    pub fn role(self) -> tuanle_domain::access::Role {
        use tuanle_domain::access::Role;
        match self {
            RoleArg::Viewer => Role::Viewer,
            RoleArg::Reporter => Role::Reporter,
            RoleArg::Reviewer => Role::Reviewer,
            RoleArg::Admin => Role::Admin,
        }
    }
}

#[derive(Debug, Args)]
pub struct AddUserArgs {
    /// Tên đăng nhập (3–40 ký tự: chữ không dấu, số, . _ -)
    #[arg(long, value_name = "U")]
    pub username: String,
    /// Họ và tên
    #[arg(long, value_name = "NAME")]
    pub full_name: String,
    /// Mã đơn vị (unit code), ví dụ VN (gốc toàn quốc), 79, 778, 27490
    #[arg(long, value_name = "CODE")]
    pub unit: String,
    /// Vai trò (role)
    #[arg(long, value_enum)]
    pub role: RoleArg,
    /// Tên cây đơn vị; mặc định là cây duy nhất nếu chỉ có một cây
    #[arg(long, value_name = "NAME")]
    pub tree: Option<String>,
    /// Thư điện tử (e-mail)
    #[arg(long, value_name = "E")]
    pub email: Option<String>,
    /// Đọc mật khẩu từ một dòng trên stdin (read the password from one line of stdin)
    #[arg(long)]
    pub password_stdin: bool,
    /// Tạo với quyền của tài khoản quản trị này (mặc định: người vận hành máy chủ)
    #[arg(long = "as", value_name = "USERNAME")]
    pub as_user: Option<String>,
}

#[derive(Debug, Subcommand)]
enum TemplateCommand {
    /// Liệt kê các mẫu tổng hợp (list templates)
    List,
    /// Xuất mẫu tổng hợp ra stdout (export a template as JSON or TOML)
    Export(ExportTemplateArgs),
    /// Nhập mẫu tổng hợp mới từ tệp JSON hoặc TOML (import a new template version)
    Import(ImportTemplateArgs),
}

/// Định dạng mẫu tổng hợp.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum TemplateFormat {
    Json,
    Toml,
}

#[derive(Debug, Args)]
pub struct ExportTemplateArgs {
    /// Mã số (id) của mẫu, xem `tuanle template list`
    #[arg(long, value_name = "ID")]
    pub id: i64,
    /// Định dạng (format)
    #[arg(long, value_enum, default_value = "json")]
    pub format: TemplateFormat,
}

#[derive(Debug, Args)]
pub struct ImportTemplateArgs {
    /// Tài khoản quản trị cấp trung ương thực hiện; mặc định: quản trị cấp trung ương duy nhất
    #[arg(long = "as", value_name = "USERNAME")]
    pub as_user: Option<String>,
    /// Tệp mẫu (JSON hoặc TOML, như `tuanle template export` tạo ra)
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

#[derive(Debug, Subcommand)]
enum ReportsCommand {
    /// Nhập bảng tính báo cáo (.xlsx, .xls, .zip hoặc cả thư mục), mỗi tệp tất cả hoặc không gì
    Import(ImportReportsArgs),
    /// Xuất bảng tính báo cáo của một đơn vị (điền sẵn số liệu hiện có, hoặc để trống)
    Export(ExportReportArgs),
}

#[derive(Debug, Args)]
pub struct ImportReportsArgs {
    /// Tệp hoặc thư mục (tìm .xlsx, .xls, .zip trong mọi thư mục con)
    #[arg(required = true, value_name = "FILES_OR_FOLDER")]
    pub paths: Vec<PathBuf>,
    /// Mã số (id) của Tuần lễ; mặc định lấy từ trang ẩn của bảng tính tải từ tuanle
    #[arg(long, value_name = "ID")]
    pub campaign: Option<i64>,
    /// Chỉ lưu nháp, không nộp (mặc định: nộp báo cáo)
    #[arg(long)]
    pub draft: bool,
    /// Thực hiện với quyền của tài khoản này (mặc định: quản trị viên duy nhất cấp trung ương)
    #[arg(long = "as", value_name = "USERNAME")]
    pub as_user: Option<String>,
}

#[derive(Debug, Args)]
pub struct ExportReportArgs {
    /// Mã số (id) của Tuần lễ
    #[arg(long, value_name = "ID")]
    pub campaign: i64,
    /// Mã đơn vị
    #[arg(long, value_name = "CODE")]
    pub unit: String,
    /// Bảng tính trống (không điền số liệu hiện có)
    #[arg(long)]
    pub blank: bool,
    /// Tệp ghi ra (mặc định: bao-cao-NĂM-MÃ.xlsx)
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Thực hiện với quyền của tài khoản này (mặc định: quản trị viên duy nhất cấp trung ương)
    #[arg(long = "as", value_name = "USERNAME")]
    pub as_user: Option<String>,
}

#[derive(Debug, Subcommand)]
enum CampaignCommand {
    /// Liệt kê các Tuần lễ (list campaigns with their ids)
    List,
}

#[derive(Debug, Subcommand)]
enum ConsolidationCommand {
    /// Tính lại toàn bộ số liệu tổng hợp của một Tuần lễ từ số liệu gốc (rebuild running sums)
    Rebuild(RebuildArgs),
}

#[derive(Debug, Args)]
pub struct RebuildArgs {
    /// Mã số (id) của Tuần lễ, xem `tuanle campaign list`
    #[arg(long, value_name = "ID")]
    pub campaign: i64,
    /// Thực hiện với quyền của tài khoản này (mặc định: người vận hành máy chủ)
    #[arg(long = "as", value_name = "USERNAME")]
    pub as_user: Option<String>,
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .try_init();
}

async fn run(cli: Cli) -> Result<(), CliError> {
    let db = cli.db;
    match cli.command {
        Command::Serve(a) => serve::serve(&db, a).await,
        Command::Units(UnitsCommand::Import(a)) => units::import_units(&db, a).await,
        Command::Units(UnitsCommand::ImportBodies(a)) => units::import_bodies(&db, a).await,
        Command::Units(UnitsCommand::Trees) => units::list_trees(&db).await,
        Command::User(UserCommand::Add(a)) => users::add_user(&db, a).await,
        Command::Template(TemplateCommand::List) => templates::list_templates(&db).await,
        Command::Template(TemplateCommand::Export(a)) => templates::export_template(&db, a).await,
        Command::Template(TemplateCommand::Import(a)) => templates::import_template(&db, a).await,
        Command::Campaign(CampaignCommand::List) => templates::list_campaigns(&db).await,
        Command::Consolidation(ConsolidationCommand::Rebuild(a)) => {
            templates::rebuild(&db, a).await
        }
        Command::Bench(a) => bench(&db, a).await,
        Command::Load(a) => load(a).await,
        Command::Backup(a) => backup::backup(&db, &a.file).await,
        Command::Restore(a) => backup::restore(&db, &a.file, a.yes).await,
        Command::Reports(ReportsCommand::Import(a)) => reports::import(&db, a).await,
        Command::Reports(ReportsCommand::Export(a)) => reports::export(&db, a).await,
    }
}

/// `tuanle bench`: needs an empty database (`--db`).
async fn bench(db: &str, a: BenchArgs) -> Result<(), CliError> {
    let opts = tuanle_bench::BenchOptions {
        db: db.to_string(),
        units_csv: a.units,
        server_bin: std::env::current_exe().map_err(|e| CliError::User(e.to_string()))?,
        clients: a.clients.max(1),
        communes: a.communes,
        python: (!a.no_baseline).then_some(a.python),
        duckdb_script: a.duckdb_script,
        work_dir: a.work_dir,
        workbooks: !a.no_workbooks,
        openpyxl_script: a.openpyxl_script,
    };
    let report = tuanle_bench::run(&opts)
        .await
        .map_err(|e| CliError::User(format!("benchmark: {e}")))?;
    println!("{}", tuanle_bench::markdown(&report));
    if let Some(path) = a.json {
        let text =
            serde_json::to_string_pretty(&report).map_err(|e| CliError::User(e.to_string()))?;
        std::fs::write(&path, text)
            .map_err(|e| CliError::User(format!("{}: {e}", path.display())))?;
    }
    Ok(())
}

/// `tuanle load`: fails (exit 1) on any error under load.
async fn load(a: LoadArgs) -> Result<(), CliError> {
    let opts = tuanle_bench::load::LoadOptions {
        url: a.url,
        clients: a.clients.max(1),
        duration: std::time::Duration::from_secs(a.seconds.max(1)),
        username: a.user,
        password: a.password,
        read_percent: a.reads,
        campaign: a.campaign,
        seed: a.seed,
        timeout: std::time::Duration::from_secs(a.timeout.max(1)),
    };
    let report = tuanle_bench::load::run(&opts)
        .await
        .map_err(|e| CliError::User(format!("kiểm thử tải: {e}")))?;
    println!("{}", tuanle_bench::load::text(&report));
    if let Some(path) = a.json {
        let text =
            serde_json::to_string_pretty(&report).map_err(|e| CliError::User(e.to_string()))?;
        std::fs::write(&path, text)
            .map_err(|e| CliError::User(format!("{}: {e}", path.display())))?;
    }
    if report.passed() {
        Ok(())
    } else {
        Err(CliError::User(format!(
            "kiểm thử tải không đạt: {} lỗi trên {} yêu cầu ({} đọc, {} ghi)",
            report.errors, report.requests, report.reads, report.writes
        )))
    }
}

fn main() -> ExitCode {
    // clap prints usage errors itself and exits with code 2 (0 for --help/--version).
    let cli = Cli::parse();
    init_tracing();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("Lỗi: không khởi động được bộ thực thi bất đồng bộ: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Lỗi: {e}");
            ExitCode::from(1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn db_is_global_and_defaults() {
        let cli =
            Cli::try_parse_from(["tuanle", "units", "trees", "--db", "sqlite://x.db"]).unwrap();
        assert_eq!(cli.db, "sqlite://x.db");
        let cli = Cli::try_parse_from(["tuanle", "serve"]).unwrap();
        match cli.command {
            Command::Serve(a) => {
                assert_eq!(a.addr, "127.0.0.1:8080");
                assert!(!a.demo);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn usage_errors_are_exit_code_2() {
        let e = Cli::try_parse_from(["tuanle", "units", "import", "a.csv"]).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        let e = Cli::try_parse_from([
            "tuanle",
            "user",
            "add",
            "--username",
            "a",
            "--full-name",
            "A",
            "--unit",
            "VN",
            "--role",
            "boss",
        ])
        .unwrap_err();
        assert_eq!(e.exit_code(), 2);
    }
}
