import DesiredState

extension Engine {
    /// Desired against actual: every declared resource and every extra. Each provider looks at
    /// its own kinds, at the same time (systemctl and probes while the target's files are
    /// hashed); Services and Commands come first, then the target's files by path.
    /// Encrypted Files are decrypted (in memory) first: the target is compared with their plain text.
    public func observe(_ declared: DesiredState, statIndex: StatIndex? = nil) async throws -> [ResourceStatus] {
        let desired = await secrets.reveal(declared, from: mirror)
        let scan = Scan(engine: self, desired: desired, statIndex: statIndex)
        let machine = try desired.resources.contains { !$0.kind.isInTarget } || store.inventoryHoldsMachineResources()
        async let services = machine ? Providers.services.observe(scan) : []
        async let commands = machine ? Providers.commands.observe(scan) : []
        let files = try Providers.files.observe(scan)
        let onMachine = try await services + commands
        return onMachine.isEmpty ? files : onMachine + files
    }
}
