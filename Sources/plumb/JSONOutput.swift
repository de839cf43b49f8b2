import Engine

/// Prints one JSON document.
func printJSON(_ value: some Encodable) {
    print(JSONOutput.encode(value, pretty: true))
}
