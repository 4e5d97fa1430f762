#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A self-pipe that wakes a thread blocked in `poll`: the terminal thread waits on the
/// keyboard and this pipe together, so a new frame is drawn at once without busy polling.
public final class TerminalWaker: Sendable {
  /// The descriptor to poll for reading.
  public let readDescriptor: Int32
  private let writeDescriptor: Int32

  public init() {
    var descriptors: [Int32] = [-1, -1]
    if pipe(&descriptors) == 0 {
      for descriptor in descriptors {
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
      }
    }
    self.readDescriptor = descriptors[0]
    self.writeDescriptor = descriptors[1]
  }

  deinit {
    if readDescriptor >= 0 { close(readDescriptor) }
    if writeDescriptor >= 0 { close(writeDescriptor) }
  }

  /// Wakes the waiting thread (a full pipe already guarantees a wake-up).
  public func wake() {
    var byte: UInt8 = 1
    _ = write(writeDescriptor, &byte, 1)
  }

  /// Empties the pipe after a wake-up.
  public func drain() {
    var buffer = [UInt8](repeating: 0, count: 64)
    while read(readDescriptor, &buffer, buffer.count) > 0 {}
  }

  /// What a wait saw on the watched descriptor.
  public enum Readiness: Sendable, Hashable {
    case idle, readable, hungUp
  }

  /// Waits for `descriptor` (or -1 for none) to be readable, a wake-up, or the timeout.
  public func wait(for descriptor: Int32, timeout: Duration) -> Readiness {
    var descriptors = [pollfd(fd: readDescriptor, events: Int16(POLLIN), revents: 0)]
    if descriptor >= 0 { descriptors.append(pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)) }
    let milliseconds = Int32(
      clamping: max(0, timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000))
    let ready = poll(&descriptors, nfds_t(descriptors.count), milliseconds)
    if ready > 0, descriptors[0].revents != 0 { drain() }
    guard ready > 0, descriptors.count > 1 else { return .idle }
    let events = descriptors[1].revents
    if events & Int16(POLLIN) != 0 { return .readable }
    if events & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 { return .hungUp }
    return .idle
  }
}
