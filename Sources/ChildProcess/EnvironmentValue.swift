import Glibc

/// One variable of plumb's environment. `getenv` reads the one asked for; Foundation's
/// `ProcessInfo.environment` makes a dictionary of all of them on every call, a measurable part
/// of a short command's start-up.
public func environmentValue(_ name: String) -> String? {
    getenv(name).map { String(cString: $0) }
}
