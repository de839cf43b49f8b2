import Foundation
import DesiredState
import VersionSource

/// What a folder under a Directory's source held when it was last listed with no undeclared
/// file in it: while its stat is unchanged, its subfolders are the same and it needs no listing.
public struct FolderEntry: Sendable, Hashable {
    public let stat: StatCacheEntry
    public let subfolders: [String]
}

/// Finds files under a Directory's source folder that it does not declare. A folder whose stat is
/// unchanged since it was last listed clean is not listed again (git's "untracked cache"): only its
/// subfolders are visited. The cache holds for one revision, since what is declared changes with it.
struct FolderScan {
    let fs: TargetFileSystem
    private let cache: [String: FolderEntry]
    private let resources: [DesiredResource]
    /// Built only if a folder has to be listed: an unchanged target never needs it.
    private lazy var declared = Set(resources.map(\.path))
    private let known: Set<String>
    /// Folders listed clean in this scan, or trusted from the cache.
    private(set) var clean: [String: FolderEntry] = [:]
    private(set) var changed = false
    /// Names the Directories' `ignore` matched in the folders listed (a cached folder is not listed).
    private(set) var ignored = 0
    private let now: Int64

    init(fs: TargetFileSystem, cache: [String: FolderEntry], declared resources: [DesiredResource], known: Set<String>) {
        self.fs = fs
        self.cache = cache
        self.resources = resources
        self.known = known
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        now = Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    /// A file found under a Directory's source that it does not declare. A name that is not
    /// valid UTF-8 or holds a control character is escaped in `path` and carries `problem`:
    /// plumb cannot name it exactly, so it only reports it.
    struct Stranger {
        let path: String
        let problem: String?
    }

    /// What the scan of one Directory looks past: its `ignore` (relative to `root`), and the
    /// folders of other Directories scanned on their own.
    struct Limits {
        let root: String
        let ignore: IgnoreRules
        let otherDirectories: Set<String>
    }

    /// Undeclared files and symlinks below a Directory, plumb's own staging files and what its
    /// `ignore` matches left out.
    mutating func strangers(under folder: String, ignore: IgnoreRules = .none, otherDirectories: Set<String> = []) -> [Stranger] {
        var found: [Stranger] = []
        visit(folder, Limits(root: folder, ignore: ignore, otherDirectories: otherDirectories), into: &found)
        return found
    }

    private mutating func visit(_ folder: String, _ limits: Limits, into found: inout [Stranger]) {
        guard case .success(let info?) = fs.lstat(folder), info.type == S_IFDIR else { return }
        if let entry = cache[folder], entry.stat.trusted(for: info) {
            clean[folder] = entry
            for child in entry.subfolders { visit(TargetPath.join(folder, child), limits, into: &found) }
            return
        }
        changed = true
        guard let fd = try? fs.openDirectory(folder), let dir = fdopendir(fd) else { return }
        var names: [(name: String, plain: Bool, isFolder: Bool)] = []
        while let entry = readdir(dir) {
            let bytes = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
            guard bytes != [46] && bytes != [46, 46] else { continue }
            let valid = String(validating: bytes, as: UTF8.self)
            let name = valid ?? TreeEntry.escapingInvalidBytes(bytes[...])
            let plain = valid != nil && !name.unicodeScalars.contains(where: \.drivesTerminal)
            // Some filesystems do not say the type in the listing: ask lstat then.
            let type = entry.pointee.d_type
            let isFolder = plain && (type == DT_UNKNOWN
                ? (try? fs.lstat(TargetPath.join(folder, name)).get())??.type == S_IFDIR
                : type == DT_DIR)
            names.append((name, plain, isFolder))
        }
        closedir(dir)
        var isClean = true
        var subfolders: [String] = []
        for (name, plain, isFolder) in names {
            let path = TargetPath.join(folder, name)
            // Ignored, or another Directory's to scan: not this one's, and it never changes whether this folder is clean.
            if plain && limits.otherDirectories.contains(path) { continue }
            if plain && limits.ignore.matches(TargetPath.relative(path, to: limits.root), isFolder: isFolder) {
                ignored += 1
                continue
            }
            if isFolder {
                subfolders.append(name)
                visit(path, limits, into: &found)
            } else if !plain {
                isClean = false
                found.append(Stranger(path: TargetPath.join(folder, name.escapingControlCharacters),
                                      problem: "its name is not valid UTF-8 or holds a control character; plumb neither reads nor removes it"))
            } else if !declared.contains(path) {
                isClean = false
                if !known.contains(path) && !name.hasPrefix(TargetPath.reservedPrefix) { found.append(Stranger(path: path, problem: nil)) }
            }
        }
        if isClean { clean[folder] = FolderEntry(stat: StatCacheEntry(stat: info, blob: "", recorded: now), subfolders: subfolders) }
    }
}
