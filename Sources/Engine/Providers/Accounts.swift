import DesiredState
import Foundation

/// `owner` and `group` as numbers of this machine: names are looked up in its user and group
/// databases (`getpwnam_r`, `getgrnam_r`) when observed and when applied, never in the manifest.
struct Accounts {
    /// What one `Ownership` comes to here: nil fields are left as they are.
    struct Resolved: Sendable {
        var uid: UInt32?
        var gid: UInt32?
        /// Why it cannot be applied here: a name this machine does not know.
        var problem: String?
    }

    static func resolve(_ ownership: Ownership) -> Resolved {
        var resolved = Resolved()
        var problems: [String] = []
        switch ownership.user {
        case .number(let n)?: resolved.uid = n
        case .name(let name)?:
            if let uid = userID(name) { resolved.uid = uid } else { problems.append("owner \(name.escapingControlCharacters): no such user on this machine") }
        case nil: break
        }
        switch ownership.group {
        case .number(let n)?: resolved.gid = n
        case .name(let name)?:
            if let gid = groupID(name) { resolved.gid = gid } else { problems.append("group \(name.escapingControlCharacters): no such group on this machine") }
        case nil: break
        }
        resolved.problem = problems.isEmpty ? nil : problems.joined(separator: "; ")
        return resolved
    }

    /// The resolutions of every distinct ownership the resources declare.
    static func resolveAll(_ resources: [DesiredResource]) -> [Ownership: Resolved] {
        var all: [Ownership: Resolved] = [:]
        for resource in resources where resource.ownership.isManaged && all[resource.ownership] == nil {
            all[resource.ownership] = resolve(resource.ownership)
        }
        return all
    }

    /// How a status reads once owner and group are compared: `modified` when they differ,
    /// `Unknown` when a name is not known here.
    static func compare(_ status: ResourceStatus, _ stat: TargetFileSystem.Stat?, _ wanted: Resolved) -> ResourceStatus {
        guard let stat, status.sync != .unknown, status.drift != .pending else { return status }
        if let problem = wanted.problem { return status.with(sync: .unknown, drift: nil, health: .unknown, message: problem) }
        var differences: [String] = []
        if let uid = wanted.uid, uid != stat.uid { differences.append("owner differs: \(userName(stat.uid)), declared \(userName(uid))") }
        if let gid = wanted.gid, gid != stat.gid { differences.append("group differs: \(groupName(stat.gid)), declared \(groupName(gid))") }
        guard !differences.isEmpty else { return status }
        let words = differences.joined(separator: "; ")
        if status.sync == .synced { return status.with(sync: .outOfSync, drift: .modified, health: status.health, message: words) }
        return status.with(sync: status.sync, drift: status.drift, health: status.health, message: [status.message, words].compactMap { $0 }.joined(separator: "; "))
    }

    static func userID(_ name: String) -> UInt32? {
        var entry = passwd(), found: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        guard getpwnam_r(name, &entry, &buffer, buffer.count, &found) == 0, found != nil else { return nil }
        return entry.pw_uid
    }

    static func groupID(_ name: String) -> UInt32? {
        var entry = group(), found: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        guard getgrnam_r(name, &entry, &buffer, buffer.count, &found) == 0, found != nil else { return nil }
        return entry.gr_gid
    }

    /// `www-data (33)`, or the number alone when this machine has no name for it.
    static func userName(_ uid: UInt32) -> String {
        var entry = passwd(), found: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        guard getpwuid_r(uid, &entry, &buffer, buffer.count, &found) == 0, found != nil, let name = entry.pw_name else { return String(uid) }
        return "\(String(cString: name).escapingControlCharacters) (\(uid))"
    }

    static func groupName(_ gid: UInt32) -> String {
        var entry = group(), found: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        guard getgrgid_r(gid, &entry, &buffer, buffer.count, &found) == 0, found != nil, let name = entry.gr_name else { return String(gid) }
        return "\(String(cString: name).escapingControlCharacters) (\(gid))"
    }
}
