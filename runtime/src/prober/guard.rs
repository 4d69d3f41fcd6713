//! Keeps the prober from being an SSRF tool: an image URL given by a user
//! must not make this process read from its own network (loopback, private,
//! link-local, unique-local, unspecified addresses: metadata services,
//! admin consoles). Every way an address is reached is guarded: the URL's
//! own IP literal, every address its name resolves to (through the prober
//! client's DNS resolver, so the checked address is the one connected to),
//! and every redirect. `ProbeConfig::allow_private_addresses` turns the
//! guard off (tests against the local simulator, `--sim`).

use std::{
    fmt,
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
    sync::Arc,
    time::Duration,
};

use reqwest::{
    Url,
    dns::{Addrs, Name, Resolve, Resolving},
    redirect,
};

/// Redirects followed at most per request.
const MAX_REDIRECTS: usize = 5;

/// An address the prober will not read from, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AddressRefused {
    /// The host as written.
    pub host: String,
    /// The address it is or resolves to.
    pub addr: IpAddr,
}

impl fmt::Display for AddressRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} is a {} address ({}); image URLs must point to the public internet \
             (ProbeConfig::allow_private_addresses allows others)",
            self.host,
            class(self.addr),
            self.addr
        )
    }
}

impl std::error::Error for AddressRefused {}

/// The HTTP client the prober uses: no proxy (the guard must see the
/// address actually connected to), the guarded resolver and redirects.
pub(crate) fn client(
    allow_private: bool,
    connect_timeout: Duration,
) -> reqwest::Result<reqwest::Client> {
    let mut builder = reqwest::Client::builder()
        .no_proxy()
        .connect_timeout(connect_timeout)
        .user_agent(concat!("seedance-runtime/", env!("CARGO_PKG_VERSION")))
        .redirect(redirect_policy(allow_private));
    if !allow_private {
        builder = builder.dns_resolver(Arc::new(GuardedResolver));
    }
    builder.build()
}

/// Checks a URL before it is requested: http(s) only, and an IP-literal
/// host must be public. Names are checked when resolved.
pub(crate) fn check_url(url: &str, allow_private: bool) -> Result<Url, String> {
    let parsed = Url::parse(url).map_err(|err| format!("not a valid URL ({err})"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!("scheme {:?} is not http or https", parsed.scheme()));
    }
    if !allow_private {
        if let Some(refused) = refused_literal(&parsed) {
            return Err(refused.to_string());
        }
    }
    Ok(parsed)
}

fn refused_literal(url: &Url) -> Option<AddressRefused> {
    // The URL parser has already normalised IPv4 forms (`127.1`, `0x7f.1`).
    let host = url.host_str()?;
    let addr: IpAddr = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .ok()?;
    is_forbidden(addr).then(|| AddressRefused {
        host: host.to_owned(),
        addr,
    })
}

fn redirect_policy(allow_private: bool) -> redirect::Policy {
    redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() >= MAX_REDIRECTS {
            return attempt.error(format!("more than {MAX_REDIRECTS} redirects"));
        }
        if !matches!(attempt.url().scheme(), "http" | "https") {
            let scheme = attempt.url().scheme().to_owned();
            return attempt.error(format!("redirect to a {scheme:?} URL"));
        }
        if !allow_private {
            if let Some(refused) = refused_literal(attempt.url()) {
                return attempt.error(refused);
            }
        }
        attempt.follow()
    })
}

/// System DNS, refusing a name when any of its addresses is not public
/// (a name that resolves to both is not a public image host).
struct GuardedResolver;

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if let Some(bad) = addrs.iter().find(|addr| is_forbidden(addr.ip())) {
                return Err(Box::new(AddressRefused {
                    host,
                    addr: bad.ip(),
                })
                    as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// The `AddressRefused` somewhere in an error's source chain.
pub(crate) fn find_refusal<'a>(
    err: &'a (dyn std::error::Error + 'static),
) -> Option<&'a AddressRefused> {
    let mut current = Some(err);
    while let Some(err) = current {
        if let Some(refused) = err.downcast_ref::<AddressRefused>() {
            return Some(refused);
        }
        current = err.source();
    }
    None
}

/// Loopback, private, link-local, unique-local, unspecified, shared
/// (CGNAT), broadcast and multicast addresses; IPv4 inside IPv6 too.
pub(crate) fn is_forbidden(addr: IpAddr) -> bool {
    match addr {
        IpAddr::V4(v4) => v4_forbidden(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4_forbidden(v4),
            None => v6_forbidden(v6),
        },
    }
}

fn v4_forbidden(v4: Ipv4Addr) -> bool {
    let [a, b, ..] = v4.octets();
    v4.is_loopback()
        || v4.is_private()
        || v4.is_link_local()
        || v4.is_unspecified()
        || v4.is_broadcast()
        || v4.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
}

fn v6_forbidden(v6: Ipv6Addr) -> bool {
    let first = v6.segments()[0];
    v6.is_loopback()
        || v6.is_unspecified()
        || v6.is_multicast()
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
}

fn class(addr: IpAddr) -> &'static str {
    let v4 = match addr {
        IpAddr::V4(v4) => Some(v4),
        IpAddr::V6(v6) => v6.to_ipv4_mapped(),
    };
    match (v4, addr) {
        (Some(v4), _) if v4.is_loopback() => "loopback",
        (Some(v4), _) if v4.is_private() => "private",
        (Some(v4), _) if v4.is_link_local() => "link-local",
        (Some(v4), _) if v4.is_unspecified() || v4.octets()[0] == 0 => "unspecified",
        (None, IpAddr::V6(v6)) if v6.is_loopback() => "loopback",
        (None, IpAddr::V6(v6)) if v6.is_unspecified() => "unspecified",
        (None, IpAddr::V6(v6)) if (v6.segments()[0] & 0xfe00) == 0xfc00 => "unique-local",
        (None, IpAddr::V6(v6)) if (v6.segments()[0] & 0xffc0) == 0xfe80 => "link-local",
        _ => "non-public",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_public_addresses_are_forbidden() {
        for addr in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
        ] {
            assert!(is_forbidden(addr.parse().unwrap()), "{addr}");
        }
        for addr in ["93.184.216.34", "8.8.8.8", "2606:4700::1111"] {
            assert!(!is_forbidden(addr.parse().unwrap()), "{addr}");
        }
    }

    /// A server on 127.0.0.1 answering every request with a redirect.
    async fn redirecting_to(location: String) -> String {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/start.png", listener.local_addr().unwrap());
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let mut buf = [0u8; 2048];
                let _ = stream.read(&mut buf).await;
                let answer = format!(
                    "HTTP/1.1 302 Found\r\nlocation: {location}\r\ncontent-length: 0\r\n\r\n"
                );
                let _ = stream.write_all(answer.as_bytes()).await;
            }
        });
        url
    }

    /// The first hop is sent straight through the guarded client (the
    /// prober checks it before with `check_url`): what is tested here is
    /// what the client does on its own with redirects and names.
    #[tokio::test]
    async fn redirects_and_names_into_private_addresses_are_refused() {
        let client = client(false, Duration::from_secs(5)).unwrap();
        for target in [
            "http://169.254.169.254/latest/meta-data",
            "http://[::1]/admin",
            "http://localhost:9/admin",
        ] {
            let start = redirecting_to(target.to_owned()).await;
            let err = client.get(&start).send().await.unwrap_err();
            let refused = find_refusal(&err).unwrap_or_else(|| panic!("{target}: {err:?}"));
            assert!(is_forbidden(refused.addr), "{target}: {refused}");
        }
        // Another scheme is never followed: the redirect itself comes back
        // (and the prober calls a 302 unreadable).
        let start = redirecting_to("file:///etc/passwd".to_owned()).await;
        let answer = client.get(&start).send().await;
        assert!(answer.is_err() || answer.is_ok_and(|a| a.status() == 302));
        // Allowed, a redirect is followed (here to a closed port: a
        // connection error, not a refusal).
        let open = super::client(true, Duration::from_secs(5)).unwrap();
        let start = redirecting_to("http://127.0.0.1:9/x".to_owned()).await;
        let err = open.get(&start).send().await.unwrap_err();
        assert!(find_refusal(&err).is_none(), "{err:?}");
    }

    #[test]
    fn urls_are_checked_before_any_request() {
        assert!(check_url("https://93.184.216.34/a.png", false).is_ok());
        assert!(check_url("https://example.com/a.png", false).is_ok());
        let refused = check_url("http://169.254.169.254/latest/meta-data", false).unwrap_err();
        assert!(refused.contains("link-local"), "{refused}");
        assert!(check_url("http://[::1]:8080/a.png", false).is_err());
        assert!(check_url("http://127.1/a.png", false).is_err());
        assert!(check_url("http://0x7f000001/a.png", false).is_err());
        assert!(check_url("http://[::1]:8080/a.png", true).is_ok());
        assert!(check_url("file:///etc/passwd", true).is_err());
        assert!(check_url("https://", true).is_err());
    }
}
