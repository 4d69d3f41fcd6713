//! `seedance-sim [--port PORT]`: runs the simulator until Ctrl-C and prints
//! its base URL (first line of stdout) and the accepted token. Its catalog
//! can be changed while it runs through `/sim/catalog` (see `catalog::admin`).

use std::net::SocketAddr;
use std::process::ExitCode;

use seedance_sim::{Sim, TOKEN};

fn parse_port() -> Result<u16, String> {
    let mut args = std::env::args().skip(1);
    let mut port = 0;
    while let Some(arg) = args.next() {
        let value = match arg.as_str() {
            "--port" | "-p" => args.next().ok_or("--port needs a value")?,
            other => match other.strip_prefix("--port=") {
                Some(value) => value.to_owned(),
                None if other == "--help" || other == "-h" => {
                    return Err("usage: seedance-sim [--port PORT]".to_owned());
                }
                None => return Err(format!("unknown argument {other:?}")),
            },
        };
        port = value
            .parse()
            .map_err(|_| format!("invalid port {value:?}"))?;
    }
    Ok(port)
}

#[tokio::main]
async fn main() -> ExitCode {
    let port = match parse_port() {
        Ok(port) => port,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let mut sim = match Sim::bind(SocketAddr::from(([127, 0, 0, 1], port))).await {
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
