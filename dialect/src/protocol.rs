/// The wire protocol a vendor speaks; each `vendor.json` names one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Protocol {
    /// RunComfy Model API: `/v1/models/{model}`, `/v1/requests/{id}/...`.
    RunComfy,
    /// AI/ML API: one generation path for submit and poll, model id in the body.
    AimlApi,
    /// WaveSpeed AI: `/api/v3/{model}`, `/api/v3/predictions/{id}/result`.
    WaveSpeed,
}

impl Protocol {
    /// Every protocol, in a stable order.
    pub const ALL: [Protocol; 3] = [Protocol::RunComfy, Protocol::AimlApi, Protocol::WaveSpeed];

    /// The name used in `vendor.json` (`"protocol": "runcomfy"`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Protocol::RunComfy => "runcomfy",
            Protocol::AimlApi => "aimlapi",
            Protocol::WaveSpeed => "wavespeed",
        }
    }

    /// The Rust variant name, for generated code.
    pub const fn variant_name(self) -> &'static str {
        match self {
            Protocol::RunComfy => "RunComfy",
            Protocol::AimlApi => "AimlApi",
            Protocol::WaveSpeed => "WaveSpeed",
        }
    }

    /// Parses the manifest name; `None` for a protocol nobody speaks yet.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == name)
    }
}

impl std::fmt::Display for Protocol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
