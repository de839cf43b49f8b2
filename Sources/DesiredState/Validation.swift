/// A File's `validate`: the command run on a staged copy of the new content before it replaces
/// the live file (Puppet's `validate_cmd`, Ansible's `validate:`).
public enum Validation {
    /// Stands for the staged copy's path in the command's arguments.
    public static let placeholder = "{}"

    /// The argv with every `{}` replaced by `path`.
    public static func arguments(_ argv: [String], stagedAt path: String) -> [String] {
        argv.map { $0.replacingOccurrences(of: placeholder, with: path) }
    }
}
