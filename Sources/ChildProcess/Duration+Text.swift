extension Duration {
    /// Reads durations as the command line writes them: `500ms`, `30s`, `5m`, `1h`.
    public static func parse(_ text: String) -> Duration? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (unit, seconds) in units where text.hasSuffix(unit) {
            // A year at most: beyond that a number is a typo, and Int64 milliseconds would overflow.
            guard let number = Double(text.dropLast(unit.count)), number >= 0, number * seconds <= 366 * 86400 else { return nil }
            return .milliseconds(Int64((number * seconds * 1000).rounded()))
        }
        return nil
    }

    /// A duration as a person reads it: `2s`, `500ms`.
    public var words: String {
        let (seconds, atto) = components
        if atto == 0 { return "\(seconds)s" }
        return "\(seconds * 1000 + atto / 1_000_000_000_000_000)ms"
    }
}
