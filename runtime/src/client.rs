//! [`Client<V>`]: the typed client generated code aliases per vendor
//! (`pub type Client = seedance_runtime::Client<Vendor>;`). It is a thin
//! wrapper over [`Connection`] whose only job is the type parameter: a model
//! of another vendor does not compile.

use std::{fmt, marker::PhantomData};

use crate::{
    builder::ClientBuilder,
    connection::Connection,
    error::Error,
    job::Job,
    media::{ImageSource, MediaError, MediaOptions},
    model::{Model, Vendor},
    price::Quote,
    prober::{ProbeReport, Prober},
    secret::Secret,
    submit::SubmitOptions,
};

/// A client of vendor `V`. Cheap to clone; clones share one HTTP client.
pub struct Client<V: Vendor> {
    conn: Connection,
    vendor: PhantomData<fn() -> V>,
}

impl<V: Vendor> Clone for Client<V> {
    fn clone(&self) -> Self {
        Client {
            conn: self.conn.clone(),
            vendor: PhantomData,
        }
    }
}

impl<V: Vendor> fmt::Debug for Client<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Client").field(&self.conn).finish()
    }
}

impl<V: Vendor> Client<V> {
    /// A client with the token from `V::TOKEN_ENV` (e.g. `RUNCOMFY_API_TOKEN`);
    /// a missing or empty variable is [`Error::MissingToken`] naming it.
    pub fn from_env() -> Result<Self, Error> {
        Self::builder().build()
    }

    /// A client with this token and default settings.
    pub fn new(token: impl Into<Secret>) -> Result<Self, Error> {
        Self::builder().token(token).build()
    }

    /// The builder: every other setting (base URL, timeouts, retries, poll
    /// interval, request budget, image checks) is set there.
    pub fn builder() -> ClientBuilder<Self> {
        ClientBuilder::new(V::INFO)
    }

    pub(crate) fn from_connection(conn: Connection) -> Self {
        Client {
            conn,
            vendor: PhantomData,
        }
    }

    /// The untyped connection (for code that handles any vendor).
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// Resumes a job from its id alone.
    pub fn job(&self, id: impl Into<String>) -> Job {
        self.conn.job(id)
    }

    /// The image prober of this client (its limits and address guard).
    #[doc(hidden)]
    pub fn prober(&self) -> Result<Prober, Error> {
        self.conn.prober()
    }

    /// Runs every check `submit` runs (local rules, image rules) without
    /// submitting; returns what probing the images cost.
    pub async fn check<M: Model<Vendor = V>>(&self, input: &M) -> Result<ProbeReport, Error> {
        self.conn
            .check_erased(input, SubmitOptions::default())
            .await
    }

    /// Checks `input` (nothing is sent if any rule fails, and every
    /// violation is reported), then submits it with exactly one POST.
    /// The returned job's id is known at once.
    pub async fn submit<M: Model<Vendor = V>>(&self, input: &M) -> Result<Job, Error> {
        self.submit_with(input, SubmitOptions::default()).await
    }

    /// [`submit`](Self::submit) with per-call options. The same flow as
    /// [`Connection::submit_erased`]: the type parameter only makes a model
    /// of another vendor a compile error.
    pub async fn submit_with<M: Model<Vendor = V>>(
        &self,
        input: &M,
        options: SubmitOptions,
    ) -> Result<Job, Error> {
        self.conn.submit_erased(input, options).await
    }

    /// What submitting `input` would cost (see [`Connection::quote_raw`]);
    /// nothing is submitted.
    pub async fn quote<M: Model<Vendor = V>>(&self, input: &M) -> Quote {
        self.conn.quote_erased(input).await
    }

    /// [`Connection::image_reference`] for this client's vendor.
    pub async fn image_reference(
        &self,
        source: ImageSource,
        options: MediaOptions,
    ) -> Result<String, MediaError> {
        self.conn.image_reference(source, options).await
    }
}

impl<V: Vendor> ClientBuilder<Client<V>> {
    /// Builds the client; reads `V::TOKEN_ENV` when no token was given
    /// ([`Error::MissingToken`] when it is unset or empty).
    pub fn build(self) -> Result<Client<V>, Error> {
        self.connect().map(Client::from_connection)
    }
}

impl<V: Vendor> From<Client<V>> for Connection {
    fn from(client: Client<V>) -> Self {
        client.conn
    }
}
