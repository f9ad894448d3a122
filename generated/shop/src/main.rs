// specgen:id src/main.rs (keep this line: regen finds the file by it if you move it)
//! The server, and a few helpers:
//!
//! - `token --sub alice [--scopes a,b] [--roles admin] [--ttl 3600]` prints a JWT signed
//!   with `JWT_SECRET`;
//! - `hash-password [PASSWORD]` prints an argon2 hash for `BASIC_USERS` (reads stdin
//!   when no password is given);
//! - `config` prints the settings the server would run with (passwords hidden);
//! - `healthcheck` asks the local server's `/healthz`, for container health checks.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::ExitCode;
use std::time::Duration;

use shop::generated::runtime::settings::Settings;
use shop::generated::runtime::{auth, telemetry};
use shop::generated::{AUTH_NEEDS, AuthConfig};
use shop::startup;

/// mimalloc rather than the system allocator: request handling allocates many small
/// values (headers, JSON, rows), and glibc's malloc was a tenth of a request's CPU time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str = "usage: [serve | token --sub SUBJECT [--scopes A,B] [--roles A,B] [--ttl SECONDS] | hash-password [PASSWORD] | config | healthcheck]\n\nWithout arguments: serve on HOST:PORT (default 127.0.0.1:8080). Settings come from the environment (and `.env` outside production); see .env.example.";

/// What `<command> --help` prints: the command's own usage, or [`USAGE`].
fn usage_of(command: &str) -> &'static str {
    match command {
        "token" => {
            "usage: token --sub SUBJECT [--scopes A,B] [--roles A,B] [--ttl SECONDS]\n\nPrints a JWT signed with JWT_SECRET (read from the environment or `.env`), valid for --ttl seconds (default 3600, at most JWT_MAX_TTL_SECS), carrying JWT_ISSUER and JWT_AUDIENCE when set. Send it as `Authorization: Bearer <token>`."
        }
        "hash-password" => {
            "usage: hash-password [PASSWORD]\n\nPrints an argon2 hash of PASSWORD (read from stdin when not given) for BASIC_USERS: `BASIC_USERS=alice=<hash>`."
        }
        "config" => {
            "usage: config\n\nPrints the settings the server would run with, from the environment and `.env` (passwords hidden), or every setting that is wrong."
        }
        "healthcheck" => {
            "usage: healthcheck\n\nAsks the server on HOST:PORT for /healthz; exits 0 when it answers 200 (for container health checks)."
        }
        _ => USAGE,
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let asks_for_help = args.iter().any(|arg| arg == "--help" || arg == "-h")
        || args.first().is_some_and(|arg| arg == "help");
    if asks_for_help {
        println!("{}", usage_of(args.first().map_or("", String::as_str)));
        return ExitCode::SUCCESS;
    }
    load_dotenv();
    let result = match args.first().map(String::as_str) {
        None | Some("serve") => serve().await,
        Some("token") => token(&args[1..]),
        Some("hash-password") => hash_password(&args[1..]),
        Some("config") => Settings::from_env()
            .map(|settings| println!("{settings:#?}"))
            .map_err(|e| e.to_string()),
        Some("healthcheck") => healthcheck(),
        Some(other) => Err(format!("unknown command `{other}` (try --help)")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Reads `.env` into the environment, except in production, where settings come from
/// the real environment only. Variables already set win over the file.
fn load_dotenv() {
    let production = std::env::var("APP_ENV").is_ok_and(|v| {
        matches!(
            v.trim().to_ascii_lowercase().as_str(),
            "production" | "prod"
        )
    });
    if production {
        return;
    }
    match dotenvy::dotenv() {
        Ok(_) => {}
        Err(dotenvy::Error::Io(error)) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => eprintln!("warning: .env ignored: {error}"),
    }
}

/// Checks every setting and credential (reporting all that are wrong), then serves
/// until SIGTERM or Ctrl-C.
async fn serve() -> Result<(), String> {
    let settings = Settings::from_env();
    // Held to the end of `serve`: dropping it flushes the last log lines.
    let _logs = settings.as_ref().ok().map(telemetry::init_tracing);
    let auth = AuthConfig::from_env(AUTH_NEEDS);
    match (settings, auth) {
        (Ok(settings), Ok(auth)) => startup::run(settings, auth).await,
        (settings, auth) => {
            let mut problems = Vec::new();
            if let Err(error) = settings {
                problems.extend(error.0);
            }
            if let Err(error) = auth {
                problems.push(error.to_string());
            }
            Err(format!(
                "invalid configuration:\n  - {}",
                problems.join("\n  - ")
            ))
        }
    }
}

/// `token --sub alice --scopes pets:write --roles admin --ttl 3600`: a JWT for the
/// configured secret.
fn token(args: &[String]) -> Result<(), String> {
    let mut subject = None;
    let mut scopes = Vec::new();
    let mut roles = Vec::new();
    let mut ttl = 3600;
    let words = |value: &str| -> Vec<String> {
        value
            .split([',', ' '])
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .ok_or_else(|| format!("`{flag}` needs a value"))?;
        match flag.as_str() {
            "--sub" => subject = Some(value.clone()),
            "--scopes" => scopes = words(value),
            "--roles" => roles = words(value),
            "--ttl" => {
                ttl = value
                    .parse()
                    .map_err(|_| format!("--ttl must be a number of seconds, got `{value}`"))?
            }
            other => return Err(format!("unknown option `{other}`")),
        }
    }
    let subject = subject.ok_or("token needs --sub SUBJECT")?;
    if std::env::var("JWT_SECRET").map_or(true, |s| s.is_empty()) {
        return Err("set JWT_SECRET (the server must use the same one) to mint tokens".to_owned());
    }
    let config = AuthConfig::from_env(AUTH_NEEDS).map_err(|e| e.to_string())?;
    let token = config
        .mint_token_with_roles(&subject, &scopes, &roles, Duration::from_secs(ttl))
        .map_err(|e| e.to_string())?;
    println!("{token}");
    Ok(())
}

/// `hash-password secret`: an argon2 hash for `BASIC_USERS=user=<hash>`.
fn hash_password(args: &[String]) -> Result<(), String> {
    let password = match args.first() {
        Some(password) => password.clone(),
        None => {
            let mut input = String::new();
            std::io::stdin()
                .read_to_string(&mut input)
                .map_err(|e| e.to_string())?;
            input.trim_end_matches(['\n', '\r']).to_owned()
        }
    };
    let hash = auth::hash_password(&password).map_err(|e| e.to_string())?;
    println!("{hash}");
    Ok(())
}

/// `healthcheck`: exit 0 when the server on this machine answers `/healthz` with 200.
/// The runtime image has no curl; this is what its `HEALTHCHECK` runs.
fn healthcheck() -> Result<(), String> {
    let settings = Settings::from_env().map_err(|e| e.to_string())?;
    let mut address = settings.address;
    if address.ip().is_unspecified() {
        address = SocketAddr::from(([127, 0, 0, 1], address.port()));
    }
    let timeout = Duration::from_secs(3);
    let mut stream = TcpStream::connect_timeout(&address, timeout)
        .map_err(|e| format!("cannot reach {address}: {e}"))?;
    stream
        .set_read_timeout(Some(timeout))
        .map_err(|e| e.to_string())?;
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .map_err(|e| e.to_string())?;
    let mut answer = [0u8; 12];
    stream.read_exact(&mut answer).map_err(|e| e.to_string())?;
    if answer.starts_with(b"HTTP/1.1 200") {
        Ok(())
    } else {
        Err(format!("unhealthy: {}", String::from_utf8_lossy(&answer)))
    }
}
