/// Git LFS keeps a small text pointer in git in place of a file's content. Deployed, it would
/// be a silent loss of the real content, so plumb recognises it and refuses.
public enum GitLFS {
    static let header = Array("version https://git-lfs.github.com/spec/v1\n".utf8)

    /// Whether `bytes` are an LFS pointer file (a few hundred bytes starting with its version line).
    public static func isPointer(_ bytes: [UInt8]) -> Bool {
        bytes.count < 1024 && bytes.starts(with: header)
    }
}
