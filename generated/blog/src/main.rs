//! The server, and two helpers for credentials:
//!
//! - `token --sub alice [--scopes a,b] [--ttl 3600]` prints a JWT signed with `JWT_SECRET`;
//! - `hash-password [PASSWORD]` prints an argon2 hash for `BASIC_USERS` (reads stdin
//!   when no password is given).

use blog::generated::{AUTH_NEEDS, AuthConfig};
use std::io::Read;
use std::process::ExitCode;
use std::time::Duration;

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("token") => token(&args[1..]),
        Some("hash-password") => hash_password(&args[1..]),
        Some("--help" | "-h" | "help") => {
            println!(
                "usage: [token --sub SUBJECT [--scopes A,B] [--ttl SECONDS] | hash-password [PASSWORD]]\n\nWithout arguments: serve on HOST:PORT (default 127.0.0.1:8080)."
            );
            Ok(())
        }
        Some(other) => Err(format!("unknown command `{other}` (try --help)")),
        None => {
            blog::startup::init_tracing();
            blog::startup::run_from_env().await
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// `token --sub alice --scopes pets:write --ttl 3600`: a JWT for the configured secret.
fn token(args: &[String]) -> Result<(), String> {
    let mut subject = None;
    let mut scopes = Vec::new();
    let mut ttl = 3600;
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .ok_or_else(|| format!("`{flag}` needs a value"))?;
        match flag.as_str() {
            "--sub" => subject = Some(value.clone()),
            "--scopes" => {
                scopes = value
                    .split([',', ' '])
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect();
            }
            "--ttl" => {
                ttl = value
                    .parse()
                    .map_err(|_| format!("--ttl must be a number of seconds, got `{value}`"))?;
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
        .mint_token(&subject, &scopes, Duration::from_secs(ttl))
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
    let hash =
        blog::generated::runtime::auth::hash_password(&password).map_err(|e| e.to_string())?;
    println!("{hash}");
    Ok(())
}
