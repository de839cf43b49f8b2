// Times the console's render path without a terminal: a keystroke through `Update.update`, then
// `Views.render`, then `CellBuffer.changes(since:)` (what the ncurses backend would draw), over a
// state far larger than any real one, so a cost that grows with the data shows up here first.
//
//   swift build -c release --product plumb-render-benchmark && .build/release/plumb-render-benchmark
//
// Options: --resources N, --commits N, --keys N (per view). Not a test: it prints, it never fails.

import Console
import DesiredState
import Engine
import Foundation
import VersionSource

// MARK: Options

func option(_ name: String, _ fallback: Int) -> Int {
    let args = CommandLine.arguments
    guard let i = args.firstIndex(of: name), i + 1 < args.count, let value = Int(args[i + 1]) else { return fallback }
    return value
}
let resourceCount = option("--resources", 100_000)
let commitCount = option("--commits", 100_000)
let keysPerView = option("--keys", 1_000)
let eventCount = ConsoleState.eventLimit

// MARK: The data

let now = Date(timeIntervalSince1970: 1_795_000_000)
let head = String(repeating: "a1b2c3d4", count: 5)
let owner = ResourceID(kind: "Directory", name: "srv")
let origin = SourceLocation(file: "resources/srv.yaml", line: 1, column: 1)

func path(_ n: Int) -> String {
    "srv/d\(String(format: "%03d", n / 100))/f\(String(format: "%05d", n)).conf"
}

/// About 3% drifted, spread evenly: 1% each modified, missing, extra; the rest synced.
/// Paths are generated in order, so the list is sorted by path as the engine delivers it.
func statuses() -> (desired: [DesiredResource], statuses: [ResourceStatus]) {
    var desired: [DesiredResource] = [], statuses: [ResourceStatus] = []
    desired.reserveCapacity(resourceCount)
    statuses.reserveCapacity(resourceCount)
    for n in 0..<resourceCount {
        let p = path(n), id = ResourceID(kind: "File", name: p), blob = String(format: "%040x", n)
        let observed = Observation.file(blob: blob, mode: 0o644, size: 1_234)
        switch n % 100 {
        case 2:
            statuses.append(.extra(id, path: p, observed: observed, owner: owner, applied: nil))
            continue
        default:
            let resource = DesiredResource(id: id, path: p, shape: .file(blob: blob, inline: nil, mode: 0o644),
                                           sensitive: false, origin: origin, owner: owner)
            desired.append(resource)
            let actual: Observation = switch n % 100 {
            case 0: .file(blob: "0" + blob.dropFirst(), mode: 0o644, size: 1_234) // modified
            case 1: .absent // missing
            default: observed // synced
            }
            statuses.append(.compare(resource, actual))
        }
    }
    return (desired, statuses)
}

/// Newest first, as `git log` gives them; now and then a rollback or an approval, as plumb writes.
func commits() -> [Commit] {
    let authors = ["Ada Lovelace", "Olga Operator", "Grace Hopper", "Linus Torvalds"]
    return (0..<commitCount).map { (n: Int) -> Commit in
        let sha = String(format: "%08x", n) + String(repeating: "0123abcd", count: 4)
        let rollbackOf: String? = n % 97 == 0 ? head : nil
        let approvedBy: String? = n % 31 == 0 ? "Olga Operator <olga@example.com>" : nil
        return Commit(sha: sha, author: authors[n % authors.count], time: now.addingTimeInterval(-Double(n) * 600),
                      subject: "Update " + path(n % max(1, resourceCount)), rollbackOf: rollbackOf, approvedBy: approvedBy)
    }
}

/// The journal's last `eventLimit` entries, oldest first: mostly drift and syncs, with runs of one
/// failure that the view folds into a single row.
func events() -> [Event] {
    (0..<eventCount).map { n in
        let time = now.addingTimeInterval(Double(n - eventCount) * 5)
        let id = ResourceID(kind: "File", name: path(n * 7 % max(1, resourceCount)))
        switch n % 10 {
        case 0, 1: return Event(.fetchFailed, .error, message: "fetching /srv/git/site.git failed: not found", time: time)
        case 2: return Event(.driftDetected, .warning, resource: id, revision: head, message: "modified: content differs", time: time)
        default: return Event(.resourceUpdated, .info, resource: id, revision: head, message: "wrote \(id.name)", time: time)
        }
    }
}

// MARK: Measuring

extension Duration {
    var milliseconds: Double { Double(components.seconds) * 1e3 + Double(components.attoseconds) / 1e15 }
}

/// Nearest-rank percentile of already sorted values.
func percentile(_ sorted: [Double], _ p: Double) -> Double {
    sorted.isEmpty ? .nan : sorted[min(sorted.count - 1, max(0, Int((Double(sorted.count) * p).rounded(.up)) - 1))]
}

/// The peak (VmHWM) or current (VmRSS) resident memory, in MB, from the kernel.
func memory(_ field: String) -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }),
          let kb = Double(line.split(separator: " ").dropFirst().first ?? "") else { return .nan }
    return kb / 1024
}

let clock = ContinuousClock()
/// Keeps the optimizer from dropping work whose result is otherwise unused.
nonisolated(unsafe) var sink = 0

/// One keystroke's frame, split into its three steps.
struct Sample { var update = 0.0, render = 0.0, changes = 0.0; var total: Double { update + render + changes } }

/// Presses `key` and produces the frame, as the shell's input loop does minus the terminal.
func frame(_ key: Key, _ state: inout ConsoleState, _ previous: inout CellBuffer?) -> Sample {
    var sample = Sample(), buffer: CellBuffer?, runs: [CellBuffer.Run] = []
    sample.update = clock.measure { sink &+= Update.update(&state, .input(.key(key))).count }.milliseconds
    sample.render = clock.measure { buffer = Views.render(state) }.milliseconds
    sample.changes = clock.measure { runs = buffer!.changes(since: previous) }.milliseconds
    sink &+= runs.count
    previous = buffer
    return sample
}

/// The keys of one view's session: moves, paging, the ends, a filter typed letter by letter, `o`
/// and the jumps `]` `[` within it, the filter cleared, and a switch away and back. Repeated until `count` keys. Each key has a label for the
/// report; filter letters are labelled `/f`, `/0`, … as they rebuild the rows.
func script(for view: ConsoleView, count: Int) -> [(key: Key, label: String)] {
    let away = view == .events ? 1 : view.rawValue + 1
    let cycle: [(Key, String)] = [
        (.char("j"), "j"), (.char("j"), "j"), (.char("j"), "j"), (.char("k"), "k"), (.pageDown, "PgDn"), (.pageDown, "PgDn"),
        (.char("j"), "j"), (.char("G"), "G"), (.char("k"), "k"), (.char("g"), "g"), (.char("/"), "/"),
    ] + "f0421".map { (Key.char($0), "/\($0)") } + [
        // The filter kept (Enter), then only what wants attention within it, jumps, and all again.
        (.enter, "Enter (keep)"), (.char("o"), "o"), (.char("]"), "]"), (.char("]"), "]"), (.char("["), "["), (.char("o"), "o (off)"),
        (.escape, "Esc (clear)"), (.char(Character(String(away))), "\(away) (away)"), (.char(Character(String(view.rawValue))), "\(view.rawValue) (back)"),
    ]
    return (0..<count).map { cycle[$0 % cycle.count] }
}

// MARK: Building the state

print("building: \(resourceCount) resources, \(commitCount) commits, \(eventCount) events…")
let (desired, allStatuses) = statuses()
let history = commits()
let journal = events()
let snapshot = Snapshot(head: head, applied: history[min(5, history.count - 1)].sha,
                        desired: DesiredState(revision: head, resources: desired, settings: Settings()), statuses: allStatuses)
var base = ConsoleState(width: 80, height: 24, now: now, source: "/srv/git/site.git", branch: "main",
                        mode: EngineMode(autoSync: true), themeName: "default")
_ = Update.update(&base, .snapshot(snapshot, at: now.addingTimeInterval(-3)))
_ = Update.update(&base, .journal(journal))
// History is loaded in pages of 200 as the cursor nears the end; here all of it at once, so the
// frame time is seen not to depend on how much is loaded.
_ = Update.update(&base, .historyLoaded(epoch: base.history.epoch, skip: 0, history, complete: true))
let builtMemory = (peak: memory("VmHWM"), now: memory("VmRSS"))

// MARK: Running

let sizes = [(80, 24), (200, 60)]
var snapshotRows: [(size: String, filter: String, time: (p50: Double, max: Double))] = []
var keyRows: [(size: String, view: String, samples: [Sample])] = []
/// Per size, view and key label: the samples, to name the keys that are slow.
var byKey: [String: [Sample]] = [:], keyNames: [String] = []

for (width, height) in sizes {
    var state = base
    _ = Update.update(&state, .input(.resize(width: width, height: height)))
    let size = "\(width)x\(height)"

    // (a) A new observation: the engine delivers the same statuses again, with the cursor
    // mid-list so that keeping the selection has to look for it. Then again with a filter on,
    // as the rows are rebuilt through it on every snapshot.
    _ = Update.update(&state, .input(.key(.char("1"))))
    state.resources.selectRow(state.resources.rows.count / 2)
    _ = Update.update(&state, .input(.key(.char("j")))) // scrolls the list to the cursor
    func applies(_ rounds: Int) -> (p50: Double, max: Double) {
        _ = Update.update(&state, .snapshot(snapshot, at: now)) // warms up
        let times = (0..<rounds).map { _ in
            clock.measure { sink &+= Update.update(&state, .snapshot(snapshot, at: now)).count }.milliseconds
        }.sorted()
        return (percentile(times, 0.5), times.last!)
    }
    snapshotRows.append((size, "none", applies(20)))
    for key in [Key.char("/")] + "f0421".map(Key.char) + [.enter] { _ = Update.update(&state, .input(.key(key))) }
    snapshotRows.append((size, "f0421", applies(5)))

    // (b) Keystrokes, each view in turn. A warm-up pass first, untimed in effect (thrown away).
    var previous: CellBuffer? = Views.render(state)
    for view in ConsoleView.allCases {
        // Untimed: close a filter left open by the last view's script, then switch.
        for key in [Key.escape, .escape, .char(Character(String(view.rawValue)))] { _ = frame(key, &state, &previous) }
        for (key, _) in script(for: view, count: 100) { _ = frame(key, &state, &previous) }
    }
    for view in ConsoleView.allCases {
        // Untimed: close a filter left open by the last view's script, then switch.
        for key in [Key.escape, .escape, .char(Character(String(view.rawValue)))] { _ = frame(key, &state, &previous) }
        var samples: [Sample] = []
        for (key, label) in script(for: view, count: keysPerView) {
            let sample = frame(key, &state, &previous)
            samples.append(sample)
            let name = "\(pad(size, 8))\(pad(view.title, 10))\(label)"
            if byKey[name] == nil { keyNames.append(name) }
            byKey[name, default: []].append(sample)
        }
        keyRows.append((size, view.title, samples))
    }
}
let peak = memory("VmHWM")

// MARK: Report

func f(_ ms: Double) -> String { String(format: "%8.2f", ms) }
func pad(_ s: String, _ n: Int) -> String { s.padding(toLength: n, withPad: " ", startingAt: 0) }

print("""

Snapshot apply (Update.update .snapshot, \(resourceCount) statuses), ms
  size    filter       p50      max
""")
for row in snapshotRows { print("  \(pad(row.size, 8))\(pad(row.filter, 8))\(f(row.time.p50))\(f(row.time.max))") }

print("""

Keystroke to frame (update + render + changes), ms; goal p99 <= 16 ms
  size    view       keys      p50      p99      max   p99 update/render/changes
""")
func line(_ size: String, _ view: String, _ samples: [Sample]) {
    let total = samples.map(\.total).sorted()
    let parts = [\Sample.update, \Sample.render, \Sample.changes].map { (part: KeyPath<Sample, Double>) in
        percentile(samples.map { $0[keyPath: part] }.sorted(), 0.99)
    }
    let verdict = percentile(total, 0.99) <= 16 ? "ok" : "OVER"
    print("  \(pad(size, 8))\(pad(view, 10))\(String(format: "%5d", samples.count))\(f(percentile(total, 0.5)))\(f(percentile(total, 0.99)))\(f(total.last!))  "
          + parts.map { String(format: "%.2f", $0) }.joined(separator: " / ") + "  \(verdict)")
}
for row in keyRows { line(row.size, row.view, row.samples) }
for (width, height) in sizes {
    let size = "\(width)x\(height)"
    line(size, "all", keyRows.filter { $0.size == size }.flatMap(\.samples))
}
line("both", "all", keyRows.flatMap(\.samples))

print("""

Keys whose p99 is over 16 ms: where the time goes
  size    view      key            n      p50      p99      max   p99 update/render/changes
""")
for name in keyNames {
    let samples = byKey[name]!, total = samples.map(\.total).sorted()
    guard percentile(total, 0.99) > 16 else { continue }
    let parts = [samples.map(\.update), samples.map(\.render), samples.map(\.changes)].map { percentile($0.sorted(), 0.99) }
    print("  \(pad(name, 30))\(String(format: "%5d", samples.count))\(f(percentile(total, 0.5)))\(f(percentile(total, 0.99)))\(f(total.last!))  "
          + parts.map { String(format: "%.2f", $0) }.joined(separator: " / "))
}

print("""

Memory (VmHWM: peak resident), MB; goal < 200 MB
  after building the state   peak \(String(format: "%.1f", builtMemory.peak))   resident \(String(format: "%.1f", builtMemory.now))
  after all the runs         peak \(String(format: "%.1f", peak))   \(peak < 200 ? "ok" : "OVER")
(sink \(sink))
""")
