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

    /// A duration as a person reads it, in the largest unit that says it whole: `1h`, `5m`,
    /// `90s`, `500ms`, as `parse` reads them.
    public var words: String {
        let (seconds, atto) = components
        if atto == 0 {
            if seconds >= 3600 && seconds % 3600 == 0 { return "\(seconds / 3600)h" }
            if seconds >= 60 && seconds % 60 == 0 { return "\(seconds / 60)m" }
            return "\(seconds)s"
        }
        return "\(seconds * 1000 + atto / 1_000_000_000_000_000)ms"
    }
}
