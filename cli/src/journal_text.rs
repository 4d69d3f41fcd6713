//! How a journal's facts read in messages, the same for `seedance batch`
//! and `seedance jobs`: its address without a password, a recorded time in
//! UTC.

/// `postgres://user:secret@host/db` -> `postgres://user:***@host/db`.
pub fn hide_password(target: &str) -> String {
    let Some((scheme, rest)) = target.split_once("://") else {
        return target.to_owned();
    };
    match rest.split_once('@') {
        Some((user, host)) => match user.split_once(':') {
            Some((name, _)) => format!("{scheme}://{name}:***@{host}"),
            None => target.to_owned(),
        },
        None => target.to_owned(),
    }
}

/// `2026-11-30 15:04:05 UTC` from milliseconds since the epoch.
pub fn ms_to_utc(ms: i64) -> String {
    let time = seedance_dialect::UtcTime::from_unix_millis(ms);
    format!("{} {} UTC", time.date(), time.time_of_day())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_hidden() {
        assert_eq!(
            hide_password("postgres://u:pw@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(hide_password("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(hide_password("jobs.db"), "jobs.db");
    }

    #[test]
    fn utc_times_print() {
        assert_eq!(ms_to_utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(ms_to_utc(1_796_137_445_000), "2026-12-01 15:04:05 UTC");
    }
}
