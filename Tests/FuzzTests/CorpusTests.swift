import Foundation
import FuzzTargets
import Testing

/// Every input in `Fuzz/Corpus/<target>/` through its parser: the seeds, and each crash the
/// fuzzer ever found (named `crash-...`), which must stay fixed.
@Suite struct CorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz/Corpus")

    @Test(arguments: FuzzTarget.allCases)
    func everyInputOfTheCorpusIsReadWithoutACrash(_ target: FuzzTarget) throws {
        let folder = Self.corpus.appendingPathComponent(target.rawValue)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(!files.isEmpty, "the corpus of \(target.rawValue) has seeds")
        for file in files {
            target.run(Array(try Data(contentsOf: folder.appendingPathComponent(file))))
        }
    }
}
