/// How a tenant's natural keys digest their rows' content (`AdjustmentInput.contentDigest`).
/// The digests are stored with the keys, so a tenant keeps its kind: one whose keys predate
/// `words` (migration v12) digests with `fnv1a` for good.
public enum ContentDigest: Int64, Sendable, CaseIterable {
    /// 64-bit FNV-1a, a byte at a time.
    case fnv1a = 1
    /// `WordHash`, eight bytes at a time: a keyed row's digest in under half the time.
    case words = 2
}
