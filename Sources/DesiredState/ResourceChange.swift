/// How one resource differs between two desired states: what merging a proposal or rolling back
/// would do to the declared state, before any target is looked at.
public struct ResourceChange: Sendable, Hashable, Comparable {
    public enum Change: String, Sendable, Hashable { case create, update, delete }

    public let id: ResourceID
    public let change: Change
    /// The resource as declared after the change; nil for a delete.
    public let resource: DesiredResource?

    public init(id: ResourceID, change: Change, resource: DesiredResource?) {
        self.id = id
        self.change = change
        self.resource = resource
    }

    public static func < (a: Self, b: Self) -> Bool { a.id < b.id }

    /// Every resource that `after` creates, updates or deletes compared with `before`, by id.
    public static func between(_ before: DesiredState, _ after: DesiredState) -> [ResourceChange] {
        let old = Dictionary(before.resources.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let new = Dictionary(after.resources.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var changes: [ResourceChange] = []
        for (id, resource) in new {
            guard let previous = old[id] else {
                changes.append(ResourceChange(id: id, change: .create, resource: resource))
                continue
            }
            if previous.path != resource.path || previous.shape != resource.shape || previous.sensitive != resource.sensitive {
                changes.append(ResourceChange(id: id, change: .update, resource: resource))
            }
        }
        for id in old.keys where new[id] == nil { changes.append(ResourceChange(id: id, change: .delete, resource: nil)) }
        return changes.sorted()
    }
}
