//! "Did you mean" for typed names (enum values, field names, models): the
//! closest candidate by edit distance, when it is close enough to be a typo.

/// The candidate closest to `word` (case-insensitive), if within half its length.
///
/// Runs on every refused value (serde errors are formatted when raised), so
/// words up to [`SHORT`] characters, which is every enum value and field
/// name, are compared without touching the heap.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut short = ['\0'; SHORT];
    let mut row_short = [0usize; SHORT + 1];
    let (mut long, mut row_long) = (Vec::new(), Vec::new());
    let mut count = 0;
    for c in word.chars() {
        if count < SHORT {
            short[count] = c.to_ascii_lowercase();
        }
        count += 1;
    }
    let (word, row): (&[char], &mut [usize]) = if count <= SHORT {
        (&short[..count], &mut row_short[..=count])
    } else {
        long.extend(word.chars().map(|c| c.to_ascii_lowercase()));
        row_long.resize(count + 1, 0);
        (&long, &mut row_long)
    };
    candidates
        .into_iter()
        .map(|candidate| (distance(word, candidate, row), candidate))
        .filter(|(distance, candidate)| *distance <= candidate.len().max(2) / 2)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Longest word compared on the stack.
const SHORT: usize = 64;

/// The distance from `a` (already lowercased) to `b` (ASCII case ignored),
/// in one reused row of `a.len() + 1` cells.
fn distance(a: &[char], b: &str, row: &mut [usize]) -> usize {
    for (i, cell) in row.iter_mut().enumerate() {
        *cell = i;
    }
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
        assert_eq!(distance(&kitten, "Sitting", &mut [0; 7]), 3);
        // Past the stack buffer: the same answer from the heap.
        let long = "x".repeat(SHORT + 5);
        let near = format!("{long}y");
        assert_eq!(closest(&long, [near.as_str(), "x"]), Some(near.as_str()));
    }
}
