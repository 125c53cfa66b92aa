import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A child process run by `verify bench`, measured from outside: wall time by the parent's
/// clock, peak memory (ru_maxrss) from `wait4`, which reports the resources of exactly that
/// child (unlike getrusage(RUSAGE_CHILDREN), the maximum over every child so far).
struct BenchChildProcess {
  /// The child's standard output, exit and cost.
  struct Outcome {
    var output: String
    var errorOutput: String
    var figures: BenchProcessFigures
  }

  /// Runs `executable` with `arguments` (standard output and error to temporary files),
  /// killing it after `timeout` seconds. Polls `wait4(WNOHANG)` every millisecond, so the
  /// wall time is accurate to about 1 ms.
  /// - Complexity: the child's; the parent sleeps while it runs.
  static func run(_ executable: String, _ arguments: [String], timeout: Double) -> Outcome {
    let base = FileManager.default.temporaryDirectory
      .appendingPathComponent("verify-bench-\(getpid())-\(UUID().uuidString)").path
    let outPath = base + ".out", errPath = base + ".err"
    defer {
      try? FileManager.default.removeItem(atPath: outPath)
      try? FileManager.default.removeItem(atPath: errPath)
    }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
    defer { for p in argv { free(p) } }
    var pid = pid_t()
    let start = ContinuousClock.now
    let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
    var figures = BenchProcessFigures(arguments: arguments, wallSeconds: 0, maxResidentMegabytes: 0, exitCode: nil,
                                      signal: nil, timedOut: false)
    guard spawned == 0 else {
      return Outcome(output: "", errorOutput: "posix_spawn failed: \(String(cString: strerror(spawned)))", figures: figures)
    }
    var status: Int32 = 0
    var usage = rusage()
    while true {
      let r = wait4(pid, &status, WNOHANG, &usage)
      if r == pid { break }
      if r == -1 && errno != EINTR { break }
      if !figures.timedOut && seconds(ContinuousClock.now - start) > timeout {
        kill(pid, SIGKILL)
        figures.timedOut = true
      }
      usleep(1000)
    }
    figures.wallSeconds = seconds(ContinuousClock.now - start)
    figures.maxResidentMegabytes = Double(usage.ru_maxrss) / 1024  // KiB on Linux
    figures.cpuSeconds = cpuSeconds(usage)
    // The wait status: low 7 bits the terminating signal (0: exited), bits 8–15 the code.
    if status & 0x7f == 0 { figures.exitCode = (status >> 8) & 0xff } else { figures.signal = status & 0x7f }
    let output = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
    let errorOutput = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
    return Outcome(output: output, errorOutput: errorOutput, figures: figures)
  }

  /// The absolute path of the running executable (/proc/self/exe on Linux).
  static var currentExecutable: String? {
    if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
    return Bundle.main.executablePath
  }
}
