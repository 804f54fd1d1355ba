//! Channel names: validation, kinds (`/meta`, `/service`, broadcast) and wildcard matching.
//!
//! A channel name starts with `/` and has no empty segments. A subscription may end with a
//! wildcard segment: `*` matches exactly one segment, `**` matches one or more segments.
//! Wildcards are allowed only as the whole last segment.

use std::fmt;

/// The three families of channels, which the engine treats differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChannelKind {
    /// `/meta/**`: the protocol itself.
    Meta,
    /// `/service/**`: request/response between one client and the server, never broadcast.
    Service,
    /// Everything else: published to every matching subscriber.
    Broadcast,
}

/// Why a channel name was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChannelError {
    /// Not a well-formed channel name.
    Invalid,
    /// A wildcard where a concrete channel is needed (publishing).
    Wildcard,
}

impl fmt::Display for ChannelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChannelError::Invalid => f.write_str("Invalid channel"),
            ChannelError::Wildcard => f.write_str("Cannot publish to a wildcard channel"),
        }
    }
}

/// A validated channel name or subscription pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ChannelName<'a> {
    name: &'a str,
}

impl<'a> ChannelName<'a> {
    /// Parses a name that may end with a `*` or `**` segment (a subscription).
    pub(crate) fn pattern(name: &'a str) -> Result<Self, ChannelError> {
        let rest = name.strip_prefix('/').ok_or(ChannelError::Invalid)?;
        let segments: Vec<&str> = rest.split('/').collect();
        let last = segments.len() - 1;
        for (index, segment) in segments.iter().enumerate() {
            let is_wildcard = *segment == "*" || *segment == "**";
            let well_formed = !segment.is_empty()
                && segment
                    .chars()
                    .all(|c| !c.is_whitespace() && !c.is_control())
                && (is_wildcard || !segment.contains('*'));
            if !well_formed || (is_wildcard && index != last) {
                return Err(ChannelError::Invalid);
            }
        }
        Ok(Self { name })
    }

    /// Parses a concrete channel name (no wildcards), as needed to publish.
    pub(crate) fn concrete(name: &'a str) -> Result<Self, ChannelError> {
        let channel = Self::pattern(name)?;
        if channel.is_wildcard() {
            return Err(ChannelError::Wildcard);
        }
        Ok(channel)
    }

    pub(crate) fn as_str(&self) -> &'a str {
        self.name
    }

    pub(crate) fn is_wildcard(&self) -> bool {
        self.name.ends_with("/*") || self.name.ends_with("/**")
    }

    pub(crate) fn kind(&self) -> ChannelKind {
        kind_of(self.name)
    }
}

/// The family of a channel name (valid or not), by its first segment.
pub(crate) fn kind_of(name: &str) -> ChannelKind {
    let first = name
        .strip_prefix('/')
        .and_then(|rest| rest.split('/').next())
        .unwrap_or("");
    match first {
        "meta" => ChannelKind::Meta,
        "service" => ChannelKind::Service,
        _ => ChannelKind::Broadcast,
    }
}

/// Every subscription pattern that matches the concrete `channel`: the channel itself, `*` on
/// its parent, and `**` on each of its ancestors. Looking these up in an index of subscriptions
/// finds the subscribers of a channel without scanning every client.
pub(crate) fn patterns_matching(channel: &str) -> Vec<String> {
    let mut patterns = vec![channel.to_owned()];
    // Each '/' ends an ancestor ("" for the root); the last one ends the parent.
    let ancestors: Vec<&str> = channel
        .match_indices('/')
        .map(|(at, _)| &channel[..at])
        .collect();
    for (position, ancestor) in ancestors.iter().enumerate() {
        patterns.push(format!("{ancestor}/**"));
        if position + 1 == ancestors.len() {
            patterns.push(format!("{ancestor}/*"));
        }
    }
    patterns
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Does the subscription index find `pattern` for `channel`?
    fn index_matches(pattern: &str, channel: &str) -> bool {
        patterns_matching(channel).iter().any(|p| p == pattern)
    }

    /// The matching rules, as the SDK's Bayeux client applies them: the server's index lookup
    /// must agree with the client.
    fn matches(pattern: &str, channel: &str) -> bool {
        hotline::core::bayeux::pattern_matches(pattern, channel)
    }

    #[test]
    fn accepts_well_formed_names_and_patterns() {
        for name in [
            "/a",
            "/a/b",
            "/chat/room-1",
            "/a/*",
            "/a/**",
            "/*",
            "/**",
            "/meta/connect",
        ] {
            assert!(ChannelName::pattern(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn refuses_malformed_names() {
        for name in [
            "", "/", "a/b", "/a//b", "/a/", "/a/*/b", "/a/**/b", "/a/b*", "/a/***", "/a b", "//",
            "/a/\n",
        ] {
            assert_eq!(
                ChannelName::pattern(name),
                Err(ChannelError::Invalid),
                "{name:?}"
            );
        }
    }

    #[test]
    fn concrete_names_have_no_wildcards() {
        assert!(ChannelName::concrete("/a/b").is_ok());
        assert_eq!(ChannelName::concrete("/a/*"), Err(ChannelError::Wildcard));
        assert_eq!(ChannelName::concrete("/a/**"), Err(ChannelError::Wildcard));
    }

    #[test]
    fn kinds_follow_the_first_segment() {
        assert_eq!(kind_of("/meta/connect"), ChannelKind::Meta);
        assert_eq!(kind_of("/meta/**"), ChannelKind::Meta);
        assert_eq!(kind_of("/service/chatV2/x"), ChannelKind::Service);
        assert_eq!(kind_of("/metadata"), ChannelKind::Broadcast);
        assert_eq!(kind_of("/chat/1"), ChannelKind::Broadcast);
    }

    #[test]
    fn single_wildcard_matches_one_segment() {
        assert!(index_matches("/a/*", "/a/b"));
        assert!(!index_matches("/a/*", "/a"));
        assert!(!index_matches("/a/*", "/a/b/c"));
        assert!(!index_matches("/a/*", "/ab/c"));
        assert!(index_matches("/*", "/a"));
        assert!(!index_matches("/*", "/a/b"));
    }

    #[test]
    fn double_wildcard_matches_any_depth() {
        assert!(index_matches("/a/**", "/a/b"));
        assert!(index_matches("/a/**", "/a/b/c/d"));
        assert!(!index_matches("/a/**", "/a"));
        assert!(!index_matches("/a/**", "/ab/c"));
        assert!(index_matches("/**", "/x/y"));
    }

    #[test]
    fn exact_pattern_matches_itself_only() {
        assert!(index_matches("/a/b", "/a/b"));
        assert!(!index_matches("/a/b", "/a/b/c"));
        assert!(!index_matches("/a/b", "/a"));
    }

    #[test]
    fn patterns_matching_agrees_with_matches() {
        let channels = ["/a", "/a/b", "/a/b/c", "/x/y"];
        let patterns = [
            "/a", "/a/b", "/a/b/c", "/*", "/**", "/a/*", "/a/**", "/a/b/*", "/a/b/**", "/x/*",
            "/a/c",
        ];
        for channel in channels {
            let index = patterns_matching(channel);
            for pattern in patterns {
                assert_eq!(
                    index.iter().any(|p| p == pattern),
                    matches(pattern, channel),
                    "{pattern} vs {channel}"
                );
            }
        }
    }
}
