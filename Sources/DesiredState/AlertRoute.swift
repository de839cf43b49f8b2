/// One entry of `alerts:` in `plumb.yaml`: which events go where.
public struct AlertRoute: Sendable, Hashable, Codable {
    public enum Destination: Sendable, Hashable, Codable {
        /// An argv (no shell) that gets the event as one JSON line on stdin.
        case command([String])
        /// An http or https URL the event JSON is POSTed to.
        case webhook(String)
    }

    /// Events of this level and worse.
    public let minLevel: EventLevel
    /// Only these reasons; nil for every reason.
    public let reasons: [EventReason]?
    public let destination: Destination
    /// How long one delivery may take.
    public let timeout: Duration

    public static let defaultTimeout: Duration = .seconds(10)

    public init(minLevel: EventLevel, reasons: [EventReason]?, destination: Destination, timeout: Duration = defaultTimeout) {
        self.minLevel = minLevel
        self.reasons = reasons
        self.destination = destination
        self.timeout = timeout
    }

    public func matches(level: EventLevel, reason: EventReason) -> Bool {
        level.rank >= minLevel.rank && (reasons?.contains(reason) ?? true)
    }

    /// Where it delivers, in words: `command /usr/local/bin/page-me`, `webhook
    /// https://hooks.example.org/…`. A webhook's path and credentials often hold its token: only
    /// its scheme and host are said.
    public var place: String {
        switch destination {
        case .command(let argv): return "command " + argv.joined(separator: " ")
        case .webhook(let url):
            guard let start = url.range(of: "://")?.upperBound else { return "webhook" }
            let authority = url[start...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
            let host = authority.split(separator: "@", omittingEmptySubsequences: false).last ?? authority
            return "webhook \(url[..<start])\(host)/…"
        }
    }

    /// What its delivery cursor is kept under: the route as written, so that a changed route
    /// starts afresh and an unchanged one keeps its place across restarts.
    public var key: String {
        let to = switch destination {
        case .command(let argv): "command " + argv.joined(separator: "\u{0}")
        case .webhook(let url): "webhook " + url
        }
        return "\(minLevel.rawValue)|\(reasons.map { $0.map(\.rawValue).joined(separator: ",") } ?? "*")|\(to)"
    }
}
