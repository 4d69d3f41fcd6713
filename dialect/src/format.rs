/// What a media reference points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MediaKind {
    /// A picture (`image_uri`, `x-accept: image/*`, or a field with image rules).
    Image,
    /// A video (`video_uri`, `x-accept: video/*`).
    Video,
    /// A sound (`audio_uri`, `x-accept: audio/*`).
    Audio,
}

impl MediaKind {
    /// Every kind, in a stable order.
    pub const ALL: [MediaKind; 3] = [MediaKind::Image, MediaKind::Video, MediaKind::Audio];

    /// The lower-case name, also the MIME top-level type (`image`).
    pub const fn as_str(self) -> &'static str {
        match self {
            MediaKind::Image => "image",
            MediaKind::Video => "video",
            MediaKind::Audio => "audio",
        }
    }

    /// The Rust variant name, for generated code.
    pub const fn variant_name(self) -> &'static str {
        match self {
            MediaKind::Image => "Image",
            MediaKind::Video => "Video",
            MediaKind::Audio => "Audio",
        }
    }

    /// The format naming the kind (`image_uri` for [`MediaKind::Image`]);
    /// the inverse of [`Format::media`].
    pub const fn format(self) -> Format {
        match self {
            MediaKind::Image => Format::ImageUri,
            MediaKind::Video => Format::VideoUri,
            MediaKind::Audio => Format::AudioUri,
        }
    }

    /// The kind a MIME pattern such as `image/*` or `video/mp4` accepts.
    pub fn from_mime(mime: &str) -> Option<Self> {
        let top = mime.split('/').next()?.trim();
        Self::ALL.into_iter().find(|k| k.as_str() == top)
    }
}

/// The string `format` values the vendors publish.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// `uri`: an http(s) URL or a data URI.
    Uri,
    /// `image_uri` (RunComfy): an image URL or `data:image/...` URI.
    ImageUri,
    /// `video_uri` (RunComfy).
    VideoUri,
    /// `audio_uri` (RunComfy).
    AudioUri,
}

impl Format {
    /// Every format, in a stable order.
    pub const ALL: [Format; 4] = [
        Format::Uri,
        Format::ImageUri,
        Format::VideoUri,
        Format::AudioUri,
    ];

    /// The schema spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            Format::Uri => "uri",
            Format::ImageUri => "image_uri",
            Format::VideoUri => "video_uri",
            Format::AudioUri => "audio_uri",
        }
    }

    /// The Rust variant name, for generated code.
    pub const fn variant_name(self) -> &'static str {
        match self {
            Format::Uri => "Uri",
            Format::ImageUri => "ImageUri",
            Format::VideoUri => "VideoUri",
            Format::AudioUri => "AudioUri",
        }
    }

    /// Parses the schema spelling.
    pub fn from_schema(format: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == format)
    }

    /// The media kind the format names; `None` for a plain `uri`. Inlined
    /// always: the runtime's URL checks fold it to a constant at each
    /// generated call site.
    #[inline(always)]
    pub const fn media(self) -> Option<MediaKind> {
        match self {
            Format::Uri => None,
            Format::ImageUri => Some(MediaKind::Image),
            Format::VideoUri => Some(MediaKind::Video),
            Format::AudioUri => Some(MediaKind::Audio),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_round_trip() {
        for format in Format::ALL {
            assert_eq!(Format::from_schema(format.as_str()), Some(format));
        }
        assert_eq!(Format::from_schema("date-time"), None);
        for kind in MediaKind::ALL {
            assert_eq!(kind.format().media(), Some(kind));
        }
        assert_eq!(MediaKind::from_mime("image/*"), Some(MediaKind::Image));
        assert_eq!(MediaKind::from_mime("video/mp4"), Some(MediaKind::Video));
        assert_eq!(MediaKind::from_mime("application/pdf"), None);
    }
}
