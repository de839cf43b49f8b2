/// What the target holds at a path, as plumb compares it with the desired state.
public enum Observation: Sendable, Hashable {
    case absent
    case file(blob: String, mode: UInt32, size: Int)
    case directory(mode: UInt32)
    case symlink(target: String)
    /// A FIFO, socket or device: plumb never manages those.
    case other(String)
    /// Could not be looked at, and why (a parent that is a symlink, a permission refused).
    case unobservable(String)

    /// A word for what is there, for messages: "a file", "a directory".
    public var noun: String {
        switch self {
        case .absent: return "nothing"
        case .file: return "a file"
        case .directory: return "a directory"
        case .symlink: return "a symlink"
        case .other(let what): return what
        case .unobservable: return "unknown"
        }
    }
}
