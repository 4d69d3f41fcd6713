//! "Did you mean" for typed names (enum values, field names, models): the
//! closest candidate by edit distance, when it is close enough to be a typo.

/// The candidate closest to `word` (case-insensitive), if within half its length.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word: Vec<char> = word.chars().map(|c| c.to_ascii_lowercase()).collect();
    let mut row = Vec::new();
    candidates
        .into_iter()
        .map(|candidate| (distance(&word, candidate, &mut row), candidate))
        .filter(|(distance, candidate)| *distance <= candidate.len().max(2) / 2)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// The distance from `a` (already lowercased) to `b` (ASCII case ignored),
/// in one reused row: a "did you mean" runs on
/// every refused value, so it should cost little.
fn distance(a: &[char], b: &str, row: &mut Vec<usize>) -> usize {
    row.clear();
    row.extend(0..=a.len());
    for (j, cb) in b.chars().enumerate() {
        let cb = cb.to_ascii_lowercase();
        let mut diagonal = row[0];
        row[0] = j + 1;
        for (i, ca) in a.iter().enumerate() {
            let above = row[i + 1];
            row[i + 1] = (diagonal + usize::from(*ca != cb))
                .min(above + 1)
                .min(row[i] + 1);
            diagonal = above;
        }
    }
    row[a.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_find_their_word_and_strangers_find_nothing() {
        let values = ["480p", "720p", "1080p"];
        assert_eq!(closest("720", values), Some("720p"));
        assert_eq!(closest("1080P", values), Some("1080p"));
        assert_eq!(closest("banana", values), None);
        let kitten: Vec<char> = "kitten".chars().collect();
        assert_eq!(distance(&kitten, "Sitting", &mut Vec::new()), 3);
    }
}
