/// Bytes in the schema dialect's megabyte (`file_size_mb<`).
pub const BYTES_PER_MB: f64 = 1_048_576.0;

/// The image rules of RunComfy's `validations` (`validation_rule`). Operators
/// are strict: `width_pixels<` 6000 means the width must be below 6000.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageRuleKind {
    /// `width_pixels<`
    WidthBelow,
    /// `width_pixels>`
    WidthAbove,
    /// `height_pixels<`
    HeightBelow,
    /// `height_pixels>`
    HeightAbove,
    /// `width/height<`
    RatioBelow,
    /// `width/height>`
    RatioAbove,
    /// `file_size_mb<` (1 MB = 1,048,576 bytes)
    FileSizeMbBelow,
}

impl ImageRuleKind {
    /// Every rule, in a stable order.
    pub const ALL: [ImageRuleKind; 7] = [
        ImageRuleKind::WidthBelow,
        ImageRuleKind::WidthAbove,
        ImageRuleKind::HeightBelow,
        ImageRuleKind::HeightAbove,
        ImageRuleKind::RatioBelow,
        ImageRuleKind::RatioAbove,
        ImageRuleKind::FileSizeMbBelow,
    ];

    /// The schema spelling (`validation_rule`).
    pub const fn as_str(self) -> &'static str {
        match self {
            ImageRuleKind::WidthBelow => "width_pixels<",
            ImageRuleKind::WidthAbove => "width_pixels>",
            ImageRuleKind::HeightBelow => "height_pixels<",
            ImageRuleKind::HeightAbove => "height_pixels>",
            ImageRuleKind::RatioBelow => "width/height<",
            ImageRuleKind::RatioAbove => "width/height>",
            ImageRuleKind::FileSizeMbBelow => "file_size_mb<",
        }
    }

    /// The Rust variant name, for generated code.
    pub const fn variant_name(self) -> &'static str {
        match self {
            ImageRuleKind::WidthBelow => "WidthBelow",
            ImageRuleKind::WidthAbove => "WidthAbove",
            ImageRuleKind::HeightBelow => "HeightBelow",
            ImageRuleKind::HeightAbove => "HeightAbove",
            ImageRuleKind::RatioBelow => "RatioBelow",
            ImageRuleKind::RatioAbove => "RatioAbove",
            ImageRuleKind::FileSizeMbBelow => "FileSizeMbBelow",
        }
    }

    /// Parses the schema spelling.
    pub fn from_schema(rule: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == rule)
    }

    /// True when the rule needs the file size rather than the header.
    pub const fn needs_file_size(self) -> bool {
        matches!(self, ImageRuleKind::FileSizeMbBelow)
    }

    /// True for `...<` rules (the measure must be below the limit).
    pub const fn is_upper_bound(self) -> bool {
        matches!(
            self,
            ImageRuleKind::WidthBelow
                | ImageRuleKind::HeightBelow
                | ImageRuleKind::RatioBelow
                | ImageRuleKind::FileSizeMbBelow
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_round_trip() {
        for kind in ImageRuleKind::ALL {
            assert_eq!(ImageRuleKind::from_schema(kind.as_str()), Some(kind));
        }
        assert_eq!(ImageRuleKind::from_schema("duration_seconds<"), None);
    }
}
