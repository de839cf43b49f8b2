extension Mirror {
    /// Writes the files of `treeish` (a commit or a tree) into the empty folder `folder`, through
    /// an index file of its own (`index`): the mirror stays bare and no one's work tree is
    /// touched. Neither the system's nor the user's git configuration is read, so no filter
    /// driver they name (a Git LFS smudge, say) runs on a proposal's files.
    public func checkOut(_ treeish: String, into folder: String, index: String) async throws {
        let environment = ["GIT_INDEX_FILE": index, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null"]
        for arguments in [["read-tree", treeish], ["--work-tree", folder, "checkout-index", "--all", "--force"]] {
            let out = try await git.run(arguments, environment: environment)
            guard out.succeeded else { throw GitError("checking out \(treeish.prefix(12)) into \(folder) failed: \(out.complaint)") }
        }
    }
}
