import Foundation

/// A branch's ref read from a repository's own files, without a git child: the loose ref
/// (`refs/heads/<branch>`), else its line in `packed-refs`. Only the plain cases are read; for
/// anything else (a symbolic ref, reftable, a name with unusual characters) this says nil and
/// git is asked. What it names is not checked to be a commit: a caller compares it with an id
/// git verified before, since an object id names one object forever.
enum RefFiles {
    /// The object id `ref` names in the repository at `gitDir`, or nil when these files do not
    /// plainly say.
    static func target(of ref: String, in gitDir: String) -> String? {
        guard isPlain(ref) else { return nil }
        switch read(gitDir + "/" + ref) {
        case .text(let text):
            return objectID(text.hasSuffix("\n") ? text.dropLast() : Substring(text))
        case .absent:
            guard case .text(let packed) = read(gitDir + "/packed-refs") else { return nil }
            return packedTarget(of: ref, in: packed)
        case .unreadable:
            return nil
        }
    }

    /// `<id> <ref>` in a `packed-refs` file; nil when the ref is not there.
    static func packedTarget(of ref: String, in packed: String) -> String? {
        for line in packed.split(separator: "\n", omittingEmptySubsequences: true) where !line.hasPrefix("#") && !line.hasPrefix("^") {
            guard let space = line.firstIndex(of: " "), line[line.index(after: space)...] == ref else { continue }
            return objectID(line[..<space])
        }
        return nil
    }

    /// A full object id (SHA-1 or SHA-256) in lowercase hex, as git writes them.
    static func objectID(_ text: Substring) -> String? {
        guard text.utf8.count == 40 || text.utf8.count == 64,
              text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) })
        else { return nil }
        return String(text)
    }

    /// `refs/heads/` and components of letters, digits, `-`, `_` and inner dots: a name that is
    /// one file below the repository and means the same to git as a path here.
    static func isPlain(_ ref: String) -> Bool {
        let components = ref.split(separator: "/", omittingEmptySubsequences: false)
        guard components.count >= 3, components[0] == "refs", components[1] == "heads" else { return false }
        return components.dropFirst(2).allSatisfy { part in
            !part.isEmpty && part.first != "." && part.last != "." && !part.contains("..") && !part.hasSuffix(".lock")
                && part.utf8.allSatisfy { $0 < 0x80 && (isalnum(Int32($0)) != 0 || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".")) }
        }
    }

    enum Read { case text(String), absent, unreadable }

    /// A small file's text, read without following a symlink; a ref file is 41 bytes, a
    /// `packed-refs` of ten thousand branches well under the limit.
    static func read(_ path: String) -> Read {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return errno == ENOENT ? .absent : .unreadable }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_size <= 16 << 20 else { return .unreadable }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return .unreadable }
            done += n
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { return .unreadable }
        return .text(text)
    }
}
