import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A real `redis-server` for tests and benchmarks, on a free loopback port, with nothing
/// persisted. It can be stopped and started again on the same port (to test reconnection),
/// and is killed when released, so a failing test leaves no server behind (a test process
/// that crashes cannot, and leaves its servers running).
public final class RedisServer: Sendable {
  public let host = "127.0.0.1"
  public private(set) var port: Int {
    get { state.withLock { $0.port } }
    set { state.withLock { $0.port = newValue } }
  }
  /// Extra `redis-server` arguments (`--requirepass`, `--user`, `--rename-command`...).
  public let arguments: [String]
  private let executable: String
  private let directory: String
  private let startTimeout: Duration
  private let state: Mutex<State>

  private struct State {
    var port: Int
    var process: Process?
  }

  /// Ports handed to servers of this process, so that two tests starting at once, or a
  /// stopped server waiting for its restart, never share one.
  private static let reservedPorts = Mutex<Set<Int>>([])

  /// Starts a server and waits until it answers. Throws when `redis-server` is not
  /// installed (tests then fail, telling the reader that `scripts/test` installs it).
  public init(arguments: [String] = [], startTimeout: Duration = .seconds(10)) async throws(RedisServerError) {
    guard let executable = Self.findExecutable() else { throw .notInstalled }
    self.executable = executable
    self.arguments = arguments
    self.startTimeout = startTimeout
    directory =
      FileManager.default.temporaryDirectory.appendingPathComponent("lianyaohu-redis-\(UUID().uuidString)")
      .path
    do {
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    } catch {
      throw .failedToStart("cannot create \(directory): \(error)")
    }
    state = Mutex(State(port: 0, process: nil))
    // Another process may take a port between our probe and the server's bind: try a few.
    var lastError = RedisServerError.noFreePort
    for _ in 0..<5 {
      guard let port = Self.reserveFreePort() else { throw .noFreePort }
      self.port = port
      do {
        try await start()
        return
      } catch {
        lastError = error
        Self.release(port)
        guard case .portInUse = error else { break }
      }
    }
    cleanUp()
    throw lastError
  }

  deinit {
    cleanUp()
  }

  /// `redis://127.0.0.1:PORT`.
  public var url: String { "redis://\(host):\(port)" }

  public var isRunning: Bool { state.withLock { $0.process?.isRunning ?? false } }

  /// Stops the server (SIGTERM, then SIGKILL if it lingers) and waits until it has exited.
  /// The port stays reserved for ``restart()``.
  public func stop() async {
    guard let process = state.withLock({ $0.process }) else { return }
    if process.isRunning { kill(process.processIdentifier, SIGTERM) }
    let clock = ContinuousClock()
    let deadline = clock.now + .seconds(10)
    while process.isRunning, clock.now < deadline {
      try? await Task.sleep(for: .milliseconds(10))
    }
    if process.isRunning {
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
    }
    state.withLock { $0.process = nil }
  }

  /// Stops the server if it runs, then starts it again on the same port, empty.
  public func restart() async throws(RedisServerError) {
    await stop()
    try await start()
  }

  private func start() async throws(RedisServerError) {
    let port = self.port
    let logFile = "\(directory)/redis-\(port).log"
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments =
      [
        "--port", "\(port)", "--bind", host, "--save", "", "--appendonly", "no", "--daemonize", "no",
        "--dir", directory, "--logfile", logFile,
      ] + arguments
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    // A child inherits its spawning thread's blocked signals, and the threads of a test
    // process block SIGTERM: unblock it for the spawn, or the server would ignore stop().
    var termination = sigset_t()
    sigemptyset(&termination)
    sigaddset(&termination, SIGTERM)
    sigaddset(&termination, SIGINT)
    var previousMask = sigset_t()
    pthread_sigmask(SIG_UNBLOCK, &termination, &previousMask)
    do {
      try process.run()
      pthread_sigmask(SIG_SETMASK, &previousMask, nil)
    } catch {
      pthread_sigmask(SIG_SETMASK, &previousMask, nil)
      throw .failedToStart("cannot run \(executable): \(error)")
    }
    state.withLock { $0.process = process }
    let clock = ContinuousClock()
    let deadline = clock.now + startTimeout
    // The deadline is checked after each probe, not before, so a test process whose threads
    // were starved past it still looks once more before declaring the server dead.
    while true {
      if !process.isRunning {
        state.withLock { $0.process = nil }
        let log = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
        if log.contains("Address already in use") { throw .portInUse(port) }
        throw .failedToStart("redis-server exited at start (status \(process.terminationStatus)): \(log.suffix(2000))")
      }
      if Self.answersPing(port: port) { return }
      if clock.now >= deadline { break }
      try? await Task.sleep(for: .milliseconds(10))
    }
    // The deadline is wall time: when busy threads kept this task from running (a sanitizer
    // build running every test at once), it may pass with the server long up. Ask once more.
    if process.isRunning, Self.answersPing(port: port) { return }
    kill(process.processIdentifier, SIGKILL)
    state.withLock { $0.process = nil }
    throw .failedToStart("redis-server did not answer on port \(port) within \(startTimeout)")
  }

  private func cleanUp() {
    let (process, port) = state.withLock { state in
      let taken = (state.process, state.port)
      state.process = nil
      return taken
    }
    if let process, process.isRunning {
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
    }
    if port != 0 { Self.release(port) }
    try? FileManager.default.removeItem(atPath: directory)
  }

  private static func findExecutable() -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
    let candidates = path.split(separator: ":").map { "\($0)/redis-server" } + ["/usr/bin/redis-server"]
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
  }

  /// A port the kernel just had free on 127.0.0.1, not handed to another server of ours.
  private static func reserveFreePort() -> Int? {
    for _ in 0..<50 {
      guard let port = probeFreePort() else { continue }
      let reserved = reservedPorts.withLock { $0.insert(port).inserted }
      if reserved { return port }
    }
    return nil
  }

  private static func release(_ port: Int) {
    _ = reservedPorts.withLock { $0.remove(port) }
  }

  private static func probeFreePort() -> Int? {
    #if canImport(Glibc)
      let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
      let descriptor = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    var address = loopback(port: 0)
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard bound == 0 else { return nil }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let named = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
    }
    guard named == 0 else { return nil }
    return Int(UInt16(bigEndian: address.sin_port))
  }

  /// Whether something on the port answers a RESP `PING` (with PONG, or NOAUTH when it
  /// wants a password): the server is then loaded and serving.
  private static func answersPing(port: Int) -> Bool {
    #if canImport(Glibc)
      let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
      let descriptor = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    var timeout = timeval(tv_sec: 1, tv_usec: 0)
    setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var address = loopback(port: port)
    let connected = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard connected == 0 else { return false }
    let ping = Array("PING\r\n".utf8)
    guard write(descriptor, ping, ping.count) == ping.count else { return false }
    var reply = [UInt8](repeating: 0, count: 64)
    let count = read(descriptor, &reply, reply.count)
    guard count > 0 else { return false }
    let text = String(decoding: reply[..<count], as: UTF8.self)
    return text.hasPrefix("+PONG") || text.hasPrefix("-NOAUTH")
  }

  private static func loopback(port: Int) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
    return address
  }
}

/// Why a test Redis server could not be started.
public enum RedisServerError: Error, Sendable, Hashable, CustomStringConvertible {
  case notInstalled
  case noFreePort
  case portInUse(Int)
  case failedToStart(String)

  public var description: String {
    switch self {
    case .notInstalled:
      "redis-server was not found on PATH or in /usr/bin; the Redis tests need a real server. "
        + "scripts/test installs it (apt-get install redis-server)."
    case .noFreePort: "no free TCP port on 127.0.0.1 for redis-server"
    case .portInUse(let port): "port \(port) was taken before redis-server could bind it"
    case .failedToStart(let reason): reason
    }
  }
}
