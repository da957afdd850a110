//! UID sets for `UID FETCH`: the requested UIDs sorted, deduplicated and split into batches,
//! each written compactly with ranges (`3:7,9`) so a batch is one short command line.

/// The UID sets covering `uids` (0 is not a UID and is dropped), at most `per_batch` UIDs each.
pub fn batches(uids: &[u32], per_batch: usize) -> Vec<String> {
    let mut sorted: Vec<u32> = uids.iter().copied().filter(|&u| u > 0).collect();
    sorted.sort_unstable();
    sorted.dedup();
    sorted.chunks(per_batch.max(1)).map(compress).collect()
}

/// `[3, 4, 5, 6, 7, 9]` → `3:7,9`, for sorted distinct UIDs.
fn compress(sorted: &[u32]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < sorted.len() {
        let start = sorted[i];
        let mut end = start;
        while i + 1 < sorted.len() && sorted[i + 1] == end + 1 {
            i += 1;
            end = sorted[i];
        }
        if !out.is_empty() {
            out.push(',');
        }
        if end == start {
            out.push_str(&start.to_string());
        } else {
            out.push_str(&format!("{start}:{end}"));
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_compressed() {
        assert_eq!(batches(&[9, 3, 4, 5, 6, 7], 100), ["3:7,9"]);
        assert_eq!(batches(&[1, 3, 5], 100), ["1,3,5"]);
        assert_eq!(
            batches(&[u32::MAX, u32::MAX - 1], 100),
            ["4294967294:4294967295"]
        );
    }

    #[test]
    fn duplicates_and_zero_are_dropped() {
        assert_eq!(batches(&[2, 2, 0, 1], 100), ["1:2"]);
        assert!(batches(&[], 100).is_empty());
        assert!(batches(&[0], 100).is_empty());
    }

    #[test]
    fn batches_hold_at_most_the_given_count() {
        let uids: Vec<u32> = (1..=7).chain([20, 21]).collect();
        assert_eq!(batches(&uids, 4), ["1:4", "5:7,20", "21"]);
        assert_eq!(
            batches(&[5, 6], 0),
            ["5", "6"],
            "a zero batch size means one per batch"
        );
    }
}
