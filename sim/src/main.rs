//! `seedance-sim [--port PORT] [--tls]`: runs the simulator until Ctrl-C and
//! prints its base URL (first line of stdout) and the accepted token. With
//! `--tls` it serves HTTPS (HTTP/2 and HTTP/1.1) with the test certificate
//! of `sim/tls/`, whose CA clients must trust (`seedance_sim::TLS_CA_PEM`). Its catalog
//! can be changed while it runs through `/sim/catalog` (see `catalog::admin`).

use std::net::SocketAddr;
use std::process::ExitCode;

use seedance_sim::{Sim, TOKEN};

fn parse_args() -> Result<(u16, bool), String> {
    let mut args = std::env::args().skip(1);
    let mut port = 0;
    let mut tls = false;
    while let Some(arg) = args.next() {
        let value = match arg.as_str() {
            "--tls" => {
                tls = true;
                continue;
            }
            "--port" | "-p" => args.next().ok_or("--port needs a value")?,
            other => match other.strip_prefix("--port=") {
                Some(value) => value.to_owned(),
                None if other == "--help" || other == "-h" => {
                    return Err("usage: seedance-sim [--port PORT] [--tls]".to_owned());
                }
                None => return Err(format!("unknown argument {other:?}")),
            },
        };
        port = value
            .parse()
            .map_err(|_| format!("invalid port {value:?}"))?;
    }
    Ok((port, tls))
}

#[tokio::main]
async fn main() -> ExitCode {
    let (port, tls) = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let mut sim = match Sim::bind_with(SocketAddr::from(([127, 0, 0, 1], port)), tls).await {
        Ok(sim) => sim,
        Err(error) => {
            eprintln!("seedance-sim: cannot listen on port {port}: {error}");
            return ExitCode::FAILURE;
        }
    };
    println!("{}", sim.base_url());
    eprintln!("seedance-sim: token {TOKEN}; Ctrl-C to stop");
    tokio::select! {
        () = sim.wait() => {}
        _ = tokio::signal::ctrl_c() => {}
    }
    ExitCode::SUCCESS
}
