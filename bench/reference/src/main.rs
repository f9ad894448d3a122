//! A minimal hand-written axum + sqlx server for the two petstore operations that
//! `scripts/bench-crud.sh` measures: `GET /pets/{petId}` and `POST /pets`. It is the
//! baseline the generated petstore is compared with, so it does the same work (JWT check,
//! body validation, SQLite round trip, problem+json errors) and nothing more.
//!
//! - `reference` serves on `HOST:PORT` (default 127.0.0.1:8081), with the database at
//!   `DATABASE_URL` (default `sqlite://bench-reference.db?mode=rwc`, a pool of
//!   `DATABASE_MAX_CONNECTIONS`, default 8) and bearer tokens checked against `JWT_SECRET`
//!   (HS256);
//! - `reference token [SUBJECT]` prints a JWT signed with `JWT_SECRET`, valid for an hour.

use std::error::Error;
use std::str::FromStr;
use std::sync::Arc;

use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{FromRequestParts, Path, State};
use axum::http::{HeaderValue, StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{NaiveDate, SecondsFormat, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{FromRow, Row};
use tokio::net::TcpListener;

type BoxError = Box<dyn Error + Send + Sync>;

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS pets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    tag TEXT,
    birth_date TEXT,
    created_at TEXT NOT NULL,
    weight_kg REAL,
    microchip_id TEXT
)";

const SELECT_PET: &str = "SELECT id, name, status, tag, birth_date, created_at, weight_kg, microchip_id \
     FROM pets WHERE id = ?";

const INSERT_PET: &str = "INSERT INTO pets (name, status, tag, birth_date, created_at, weight_kg, microchip_id) \
     VALUES (?, ?, ?, ?, ?, ?, ?) \
     RETURNING id, name, status, tag, birth_date, created_at, weight_kg, microchip_id";

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        None => serve().await,
        Some("token") => {
            let subject = args.get(1).map_or("bench", String::as_str);
            println!("{}", mint_token(&jwt_secret()?, subject)?);
            Ok(())
        }
        Some(other) => {
            Err(format!("unknown command `{other}`; usage: reference [token [SUBJECT]]").into())
        }
    }
}

async fn serve() -> Result<(), BoxError> {
    let database_url = env_or("DATABASE_URL", "sqlite://bench-reference.db?mode=rwc");
    let options = SqliteConnectOptions::from_str(&database_url)?
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal);
    let connections = env_or("DATABASE_MAX_CONNECTIONS", "8").parse()?;
    let db = SqlitePoolOptions::new()
        .max_connections(connections)
        .connect_with(options)
        .await?;
    sqlx::query(CREATE_TABLE).execute(&db).await?;

    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_required_spec_claims(&["exp", "sub"]);
    let state = AppState {
        db,
        auth: Arc::new(Auth {
            key: DecodingKey::from_secret(jwt_secret()?.as_bytes()),
            validation,
        }),
    };
    let app = Router::new()
        .route("/pets", post(create_pet))
        .route("/pets/{pet_id}", get(get_pet))
        .with_state(state);

    let address = format!("{}:{}", env_or("HOST", "127.0.0.1"), env_or("PORT", "8081"));
    let listener = TcpListener::bind(&address).await?;
    eprintln!("reference listening on http://{address}");
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    Ok(())
}

#[derive(Clone)]
struct AppState {
    db: SqlitePool,
    auth: Arc<Auth>,
}

struct Auth {
    key: DecodingKey,
    validation: Validation,
}

// ---------------------------------------------------------------------------------------
// Handlers

async fn get_pet(
    State(state): State<AppState>,
    pet_id: Result<Path<i64>, PathRejection>,
) -> Result<Json<Pet>, Problem> {
    let Path(id) = pet_id?;
    if id < 1 {
        return Err(Problem::new(
            StatusCode::BAD_REQUEST,
            "petId must be at least 1",
        ));
    }
    sqlx::query_as(SELECT_PET)
        .bind(id)
        .fetch_optional(&state.db)
        .await?
        .map(Json)
        .ok_or_else(|| Problem::new(StatusCode::NOT_FOUND, format!("pet {id} does not exist")))
}

async fn create_pet(
    State(state): State<AppState>,
    _caller: Authenticated,
    body: Result<Json<NewPet>, JsonRejection>,
) -> Result<impl IntoResponse, Problem> {
    let Json(new) = body?;
    new.validate()?;
    let pet: Pet = sqlx::query_as(INSERT_PET)
        .bind(new.name)
        .bind(new.status.as_str())
        .bind(new.tag)
        .bind(new.birth_date.map(|date| date.to_string()))
        .bind(Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true))
        .bind(new.weight_kg)
        .bind(new.microchip_id)
        .fetch_one(&state.db)
        .await?;
    let location = format!("/pets/{}", pet.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(pet),
    ))
}

// ---------------------------------------------------------------------------------------
// Models

#[derive(Clone, Copy, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum PetStatus {
    #[default]
    Available,
    Pending,
    Sold,
}

impl PetStatus {
    fn as_str(self) -> &'static str {
        match self {
            Self::Available => "available",
            Self::Pending => "pending",
            Self::Sold => "sold",
        }
    }
}

impl FromStr for PetStatus {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "available" => Ok(Self::Available),
            "pending" => Ok(Self::Pending),
            "sold" => Ok(Self::Sold),
            other => Err(format!("unknown pet status `{other}`")),
        }
    }
}

/// A stored pet. `tag` is required and nullable (always present, maybe `null`); the other
/// optional fields are omitted when unknown.
#[derive(Serialize)]
struct Pet {
    id: i64,
    name: String,
    status: PetStatus,
    tag: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    birth_date: Option<String>,
    created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    weight_kg: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    microchip_id: Option<String>,
}

impl FromRow<'_, SqliteRow> for Pet {
    fn from_row(row: &SqliteRow) -> sqlx::Result<Self> {
        let status: &str = row.try_get("status")?;
        Ok(Self {
            id: row.try_get("id")?,
            name: row.try_get("name")?,
            status: status
                .parse()
                .map_err(|e: String| sqlx::Error::Decode(e.into()))?,
            tag: row.try_get("tag")?,
            birth_date: row.try_get("birth_date")?,
            created_at: row.try_get("created_at")?,
            weight_kg: row.try_get("weight_kg")?,
            microchip_id: row.try_get("microchip_id")?,
        })
    }
}

/// Body of `POST /pets`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewPet {
    name: String,
    #[serde(default)]
    status: PetStatus,
    tag: Option<String>,
    birth_date: Option<NaiveDate>,
    weight_kg: Option<f64>,
    microchip_id: Option<String>,
}

impl NewPet {
    /// The constraints of the spec that serde does not already enforce; every violation is
    /// reported, as a 422.
    fn validate(&self) -> Result<(), Problem> {
        let mut errors = Vec::new();
        if !(1..=100).contains(&self.name.chars().count()) {
            errors.push(FieldError::new("/name", "must be 1 to 100 characters long"));
        }
        if let Some(tag) = &self.tag
            && !(1..=50).contains(&tag.chars().count())
        {
            errors.push(FieldError::new("/tag", "must be 1 to 50 characters long"));
        }
        if let Some(weight) = self.weight_kg
            && !(0.0..1000.0).contains(&weight)
        {
            errors.push(FieldError::new(
                "/weight_kg",
                "must be at least 0 and below 1000",
            ));
        }
        if let Some(id) = &self.microchip_id
            && !is_uuid(id)
        {
            errors.push(FieldError::new("/microchip_id", "must be a UUID"));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            let mut problem = Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "the request body failed validation",
            );
            problem.errors = errors;
            Err(problem)
        }
    }
}

/// `8-4-4-4-12` hexadecimal digits, as `format: uuid` asks.
fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

// ---------------------------------------------------------------------------------------
// Authentication

#[derive(Serialize, Deserialize)]
struct Claims {
    sub: String,
    exp: u64,
}

/// Extracting this checks `Authorization: Bearer <JWT>` (HS256, `exp` and `sub` required);
/// anything else is rejected with 401 before the body is read.
struct Authenticated;

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim());
        let Some(token) = token else {
            return Err(Problem::new(
                StatusCode::UNAUTHORIZED,
                "a valid bearer token is required",
            ));
        };
        jsonwebtoken::decode::<Claims>(token, &state.auth.key, &state.auth.validation)
            .map(|_| Authenticated)
            .map_err(|_| Problem::new(StatusCode::UNAUTHORIZED, "the bearer token is not valid"))
    }
}

fn mint_token(secret: &str, subject: &str) -> Result<String, BoxError> {
    let claims = Claims {
        sub: subject.to_owned(),
        exp: jsonwebtoken::get_current_timestamp() + 3600,
    };
    let key = EncodingKey::from_secret(secret.as_bytes());
    Ok(jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &key,
    )?)
}

fn jwt_secret() -> Result<String, BoxError> {
    std::env::var("JWT_SECRET")
        .ok()
        .filter(|secret| !secret.is_empty())
        .ok_or_else(|| "set JWT_SECRET (HS256 secret shared by the server and `token`)".into())
}

// ---------------------------------------------------------------------------------------
// Errors: RFC 9457 problem details

#[derive(Serialize)]
struct Problem {
    #[serde(rename = "type")]
    kind: &'static str,
    title: &'static str,
    status: u16,
    detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<FieldError>,
}

#[derive(Serialize)]
struct FieldError {
    pointer: &'static str,
    detail: &'static str,
}

impl FieldError {
    fn new(pointer: &'static str, detail: &'static str) -> Self {
        Self { pointer, detail }
    }
}

impl Problem {
    fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self {
            kind: "about:blank",
            title: status.canonical_reason().unwrap_or("Error"),
            status: status.as_u16(),
            detail: detail.into(),
            errors: Vec::new(),
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, Json(self)).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl From<sqlx::Error> for Problem {
    fn from(error: sqlx::Error) -> Self {
        eprintln!("database error: {error}");
        Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "database error")
    }
}

impl From<JsonRejection> for Problem {
    fn from(rejection: JsonRejection) -> Self {
        Problem::new(rejection.status(), rejection.body_text())
    }
}

impl From<PathRejection> for Problem {
    fn from(rejection: PathRejection) -> Self {
        Problem::new(rejection.status(), rejection.body_text())
    }
}

// ---------------------------------------------------------------------------------------
// Process

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

/// Resolves on Ctrl-C or SIGTERM; in-flight requests then finish before `serve` returns.
async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
